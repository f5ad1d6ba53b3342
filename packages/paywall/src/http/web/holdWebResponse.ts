import { paywallReasons } from '../../reasons.js'
import { buildErrorResponse } from '../challenge.js'
import { statusOf } from '../status.js'
import type { HttpHeld, PaywallResponse, ResponseHeaders } from '../types.js'

/** A handler's Web `Response`, read whole and held until the paywall decides what goes out. */
export type HeldWebResponse = HttpHeld & {
  /** The held response as a new `Response`: `headers` (the paywall's, or CORS) over the handler's. */
  toResponse(headers: { under?: Headers | undefined; over?: ResponseHeaders | undefined }): Response
}

/** Parameters of {@link holdWebResponse}. */
export type HoldWebResponseParameters = {
  /** The largest body held, in bytes; a larger one is answered 500 and charges nothing. */
  maxBodyBytes: number
  /** The client's signal: once it aborts, the hold ends as `aborted` and nothing goes out. */
  signal?: AbortSignal | undefined
}

/** 10 MiB: an API response, not a download (the body is held in memory until settled). */
export const defaultMaxBodyBytes = 10 * 1024 * 1024

/** Statuses whose response has no body (the `Response` constructor refuses one). */
const nullBodyStatuses = new Set([101, 103, 204, 205, 304])

/**
 * Runs `next` (the handler) and holds its response whole: the body is read into memory so that
 * nothing reaches the client before the payment settles. A body over `maxBodyBytes`, or a stream
 * that never ends (`text/event-stream`), cannot be held: it is cancelled and replaced by a 500 that
 * says why, so the payment is not charged and the request does not hang. A client that goes away
 * first (`signal`) ends the hold as `aborted`.
 */
export async function holdWebResponse(
  next: () => Promise<Response> | Response,
  { maxBodyBytes, signal }: HoldWebResponseParameters,
): Promise<HeldWebResponse> {
  const response = await untilAborted(Promise.resolve().then(next), signal)
  if (response === undefined) return heldOf(aborted(), true)
  const type = response.headers.get('content-type') ?? ''
  if (/^\s*text\/event-stream/i.test(type)) {
    await response.body?.cancel().catch(() => {})
    return heldOf(notHoldable(paywallReasons.responseNotHoldable, 'an event stream never ends'))
  }
  const body = await readBody(response, { maxBodyBytes, signal })
  if (body === 'aborted') return heldOf(aborted(), true)
  if (body === 'too-large')
    return heldOf(
      notHoldable(paywallReasons.responseTooLarge, `the response is over ${maxBodyBytes} bytes`),
    )
  return heldOf({
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body,
  })
}

type Parts = { status: number; statusText: string; headers: Headers; body: Uint8Array | null }

function heldOf(parts: Parts, isAborted = false): HeldWebResponse {
  return {
    aborted: isAborted,
    status: parts.status,
    snapshot: () => ({
      status: parts.status,
      headers: headersToRecord(parts.headers),
      body: parts.body ?? new Uint8Array(0),
    }),
    toResponse: ({ under, over }) => {
      const headers = new Headers(under)
      parts.headers.forEach((value, name) => {
        if (name !== 'set-cookie') headers.set(name, value)
      })
      for (const cookie of parts.headers.getSetCookie()) headers.append('set-cookie', cookie)
      setAll(headers, over)
      const body = nullBodyStatuses.has(parts.status) ? null : parts.body
      return new Response(body as BodyInit | null, {
        status: parts.status,
        statusText: parts.statusText,
        headers,
      })
    },
  }
}

/** Header values onto `headers` (an array is several values of one header). */
export function setAll(headers: Headers, values: ResponseHeaders | undefined): void {
  for (const [name, value] of Object.entries(values ?? {})) {
    if (Array.isArray(value)) {
      headers.delete(name)
      for (const item of value) headers.append(name, String(item))
    } else headers.set(name, String(value))
  }
}

/** `Headers` as the paywall keeps them: `set-cookie` as a list, the rest joined. */
export function headersToRecord(headers: Headers): ResponseHeaders {
  const record: Record<string, string | string[]> = {}
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') record[name] = value
  })
  const cookies = headers.getSetCookie()
  if (cookies.length > 0) record['set-cookie'] = cookies
  return record
}

/** A `PaywallResponse` as a Web `Response`, over `under` (headers the app set first). */
export function toWebResponse(response: PaywallResponse, under?: Headers | undefined): Response {
  const headers = new Headers(under)
  setAll(headers, response.headers)
  const empty = typeof response.body === 'string' ? response.body === '' : !response.body.length
  const body = nullBodyStatuses.has(response.status) || empty ? null : response.body
  return new Response(body as BodyInit | null, { status: response.status, headers })
}

/**
 * The held answer of a handler that threw (or whose body stream failed): a bare 500, as a
 * framework answers an uncaught error, without its details.
 */
export function heldServerError(): HeldWebResponse {
  const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8' })
  const body = new TextEncoder().encode('Internal Server Error')
  return heldOf({ status: 500, statusText: '', headers, body })
}

function aborted(): Parts {
  return { status: 499, statusText: '', headers: new Headers(), body: null }
}

function notHoldable(error: string, why: string): Parts {
  const response = buildErrorResponse({
    status: statusOf('server_error'),
    error,
    message: `The paid response cannot be held until the payment settles: ${why}. Nothing was charged.`,
  })
  const headers = new Headers()
  setAll(headers, response.headers)
  return {
    status: response.status,
    statusText: '',
    headers,
    body: new TextEncoder().encode(response.body as string),
  }
}

/** `promise`, or `undefined` once `signal` aborts first. */
async function untilAborted<value>(
  promise: Promise<value>,
  signal: AbortSignal | undefined,
): Promise<value | undefined> {
  if (!signal) return promise
  if (signal.aborted) {
    // The work still runs (it was started); its answer is dropped.
    promise.then(discardBody, () => {})
    return undefined
  }
  let onAbort: (() => void) | undefined
  const abortedFirst = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const result = await Promise.race([promise, abortedFirst])
    if (result === undefined) promise.then(discardBody, () => {})
    return result
  } finally {
    signal.removeEventListener('abort', onAbort!)
  }
}

function discardBody(value: unknown): void {
  if (value instanceof Response) value.body?.cancel().catch(() => {})
}

/** The whole body, `'too-large'` past the limit, `'aborted'` when the client left first. */
async function readBody(
  response: Response,
  { maxBodyBytes, signal }: HoldWebResponseParameters,
): Promise<Uint8Array | null | 'too-large' | 'aborted'> {
  if (!response.body) return null
  const declared = Number(response.headers.get('content-length'))
  const reader = response.body.getReader()
  if (declared > maxBodyBytes) {
    await reader.cancel().catch(() => {})
    return 'too-large'
  }
  const cancel = () => void reader.cancel().catch(() => {})
  signal?.addEventListener('abort', cancel, { once: true })
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (signal?.aborted) return 'aborted'
      if (done) break
      size += value.byteLength
      if (size > maxBodyBytes) {
        cancel()
        return 'too-large'
      }
      chunks.push(value)
    }
  } finally {
    signal?.removeEventListener('abort', cancel)
  }
  return concat(chunks, size)
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
