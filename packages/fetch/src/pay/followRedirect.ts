import { headerNames } from '@tollgate/core'
import type { ResponseLike } from '../challenge.js'
import { discard } from '../challenge.js'
import { RedirectRefusedError } from '../errors/request.js'
import type { PreparedRequest } from '../request.js'

/** Sends a request through the wrapped fetch. */
export type Send = (input: string, init: Record<string, unknown>) => Promise<ResponseLike>

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/** Headers that carry a payment: never sent after a redirect. */
const paymentHeaders = new Set([
  headerNames.paymentSignature.toLowerCase(),
  headerNames.xPayment.toLowerCase(),
])

/** Headers fetch drops when a redirect leaves the origin. */
const credentialHeaders = new Set(['authorization', 'cookie', 'proxy-authorization'])

/**
 * A redirect answering a paid request is followed, as the caller's `redirect` mode asks, by a
 * new request without the payment header (and without credentials when it leaves the origin):
 * a payment never travels to where the server points, and the next answer is never paid.
 */
export async function followRedirect(
  send: Send,
  { request, url, response }: { request: PreparedRequest; url: URL; response: ResponseLike },
): Promise<ResponseLike> {
  const location = response.headers.get('location')
  if (!redirectStatuses.has(response.status) || location === null) return response
  if (request.redirect === 'manual') return response
  if (request.redirect === 'error') {
    await discard(response)
    throw new RedirectRefusedError({ url: url.href, location })
  }
  let target: URL
  try {
    target = new URL(location, url)
  } catch {
    // An unparseable Location cannot be followed: the redirect itself is the answer.
    return response
  }
  await discard(response)
  const init = request.init()
  let headers = (init.headers as [string, string][]).filter(
    ([name]) => !paymentHeaders.has(name.toLowerCase()),
  )
  const toGet =
    (response.status === 303 && request.method !== 'HEAD') ||
    ((response.status === 301 || response.status === 302) && request.method === 'POST')
  if (toGet) {
    init.method = 'GET'
    delete init.body
    delete init.duplex
    headers = headers.filter(([name]) => !name.toLowerCase().startsWith('content-'))
  }
  if (target.origin !== url.origin)
    headers = headers.filter(([name]) => !credentialHeaders.has(name.toLowerCase()))
  return send(target.href, { ...init, headers })
}

/** The URL a response came from, after the redirects fetch followed. */
export function responseUrl(response: ResponseLike, requested: URL): URL {
  if (!response.url) return requested
  try {
    return new URL(response.url)
  } catch {
    return requested
  }
}
