import { paywallReasons } from './reasons.js'

// Why the paywall answered instead of the work, in words every transport shares: the HTTP layer
// turns each kind into one status code (`http/status.ts`), an MCP or A2A transport into its own
// error shape.

/** Why the paywall answered instead of the work (the route's handler, the tool). */
export type PaywallFailureKind =
  /** No payment, or a payment that cannot be used (bad header, no matching requirement, invalid). */
  | 'payment_required'
  /** The payment is valid but the facilitator needs a Permit2 allowance first. */
  | 'precondition_required'
  /** The transfer failed or is still pending: the response is withheld. */
  | 'settlement_failed'
  /** The `payment-identifier` was seen with a different payload. */
  | 'idempotency_conflict'
  /** The `payment-identifier` is required but missing, or malformed. */
  | 'bad_request'
  /** The facilitator answered something that is not a verify/settle response. */
  | 'facilitator_error'
  /** The facilitator could not be reached, timed out, or said it is unavailable. */
  | 'facilitator_unavailable'
  /** The paywall's store could not be read or written: nothing was run or charged. */
  | 'store_unavailable'
  /** The route's price could not be computed, or its settlement mode cannot be honoured. */
  | 'server_error'

/** The kind of answer for a verification that failed with `reason` (a precondition for Permit2 allowances, as the reference). */
export function verifyFailureKind(reason: string | undefined): PaywallFailureKind {
  return reason === 'permit2_allowance_required' ? 'precondition_required' : 'payment_required'
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
])

/**
 * Whether a facilitator error means "not reachable right now" (503, worth retrying) rather than
 * "answered nonsense" (502): a 429/502/503/504 status, a timeout, or a connection error anywhere
 * in the `cause` chain.
 */
export function facilitatorFailureKind(error: unknown): PaywallFailureKind {
  let current: unknown = error
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    const { status, code, name } = current as { status?: unknown; code?: unknown; name?: unknown }
    if (status === 429 || status === 502 || status === 503 || status === 504)
      return 'facilitator_unavailable'
    if (name === 'AbortError' || name === 'TimeoutError') return 'facilitator_unavailable'
    if (typeof code === 'string' && unavailableCodes.has(code)) return 'facilitator_unavailable'
    if (current instanceof TypeError && current.message === 'fetch failed')
      return 'facilitator_unavailable'
    current = (current as { cause?: unknown }).cause
  }
  return 'facilitator_error'
}

/** The reason reported when a facilitator call throws. */
export function facilitatorFailureReason(stage: 'supported' | 'verify' | 'settle'): string {
  if (stage === 'supported') return paywallReasons.unexpectedSupportedError
  return stage === 'verify'
    ? paywallReasons.unexpectedVerifyError
    : paywallReasons.unexpectedSettleError
}
