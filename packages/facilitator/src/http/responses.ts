import { reasons } from '@tollgate/core'
import type { FacilitatorHttpAnswer } from './facilitatorExchange.js'

/** A JSON answer that no cache keeps. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FacilitatorHttpAnswer {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(body),
  }
}

/** An error body: a stable reason code and a message, plus the response shape x402 clients parse. */
export function error(
  status: number,
  code: string,
  message: string,
  shape: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): FacilitatorHttpAnswer {
  return json(status, { ...shape, error: code, message }, headers)
}

/** The answer to a request that failed inside: the reason code says enough (no internals). */
export function unavailable(route: string): FacilitatorHttpAnswer {
  if (route === 'verify')
    return error(503, 'unavailable', 'Verification is unavailable; try again.', {
      isValid: false,
      invalidReason: reasons.unexpectedVerifyError,
    })
  if (route === 'settle')
    return error(503, 'unavailable', 'Settlement is unavailable; try again.', {
      success: false,
      errorReason: reasons.unexpectedSettleError,
      transaction: '',
      network: 'unknown',
    })
  return error(500, 'internal_error', 'Internal error.')
}
