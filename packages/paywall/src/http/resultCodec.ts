import type { ResultCodec } from '../engine/types.js'
import { base64ToBytes, bytesToBase64 } from './base64.js'
import type { HttpHeld, PaywallResponse, ResponseHeaders } from './types.js'

/**
 * What the HTTP layer's engine runs and keeps: the handler's response still held by the adapter
 * (`HttpHeld`), or a complete response (one kept earlier, read back from the store).
 */
export type HttpResult = HttpHeld | PaywallResponse

/** Whether a result is a response the adapter still holds (it goes out by being released). */
export function isHeld(result: HttpResult): result is HttpHeld {
  return 'snapshot' in result
}

/** A kept HTTP response in the store: JSON, its body as base64. */
type KeptResponse = {
  status: number
  headers: Record<string, string | number | string[]>
  body: string
}

/** The codec of HTTP results: status, headers and body (base64), without per-request CORS. */
export const httpResultCodec = {
  keep(result: HttpResult): KeptResponse {
    const { status, headers, body } = withoutCors(isHeld(result) ? result.snapshot() : result)
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
    return { status, headers: headers as KeptResponse['headers'], body: bytesToBase64(bytes) }
  },
  restore(value: unknown): PaywallResponse {
    const { status, headers, body } = value as KeptResponse
    return { status, headers, body: base64ToBytes(body) }
  },
} satisfies ResultCodec<HttpResult>

/** A kept response is replayed to whoever sends the payment again: its CORS headers are per request. */
function withoutCors(response: PaywallResponse): PaywallResponse {
  const headers: ResponseHeaders = {}
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase()
    if (lower.startsWith('access-control-') || lower === 'vary') continue
    headers[name] = value
  }
  return { ...response, headers }
}
