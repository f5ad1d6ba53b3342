import type { z } from 'zod'
import type { FacilitatorOperation } from '../errors/facilitator.js'
import type { CreateHttpFacilitatorClientParameters } from './createHttpFacilitatorClient.js'
import { exchange } from './exchange.js'
import { nodeSender } from './nodeSender.js'
import { readAnswer } from './readAnswer.js'
import { fetchSender } from './send.js'

/** One call to the facilitator: `operation` at `path` (the operation's name by default), read against `schema`. */
export type FacilitatorCall = <schema extends z.ZodType>(
  operation: FacilitatorOperation,
  schema: schema,
  body: unknown,
  path?: string | undefined,
) => Promise<z.output<schema>>

/**
 * The facilitator calls of one client: the base URL without its trailing slashes, a sender
 * (`node:http(s)` with a keep-alive pool on Node unless a `fetch` is given), the client's headers
 * and per-call auth headers, and its timeout.
 */
export function createFacilitatorCall({
  url,
  fetch,
  headers,
  createAuthHeaders,
  timeoutMs = 30_000,
}: Omit<CreateHttpFacilitatorClientParameters, 'sendSettlementMode'>): FacilitatorCall {
  const base = withoutTrailingSlashes(url)
  const viaFetch = fetchSender(fetch ?? ((input, init) => globalThis.fetch(input, init)))
  const send = fetch ? viaFetch : (nodeSender(viaFetch) ?? viaFetch)
  return async (operation, schema, body, path = operation) => {
    const endpoint = `${base}/${path}`
    const authHeaders =
      createAuthHeaders && operation !== 'status'
        ? async () => (await createAuthHeaders())[operation]
        : undefined
    const answer = await exchange({
      operation,
      endpoint,
      body,
      headers,
      authHeaders,
      send,
      timeoutMs,
    })
    return readAnswer(operation, endpoint, schema, answer)
  }
}

function withoutTrailingSlashes(url: string): string {
  let end = url.length
  while (end > 0 && url.charCodeAt(end - 1) === 47) end-- // "/"
  return url.slice(0, end)
}
