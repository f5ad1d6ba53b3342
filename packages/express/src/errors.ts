import { BaseError } from '@tollgate/core'
import { paywallReasons } from './reasons.js'

export type RouteConfigurationErrorType = RouteConfigurationError & {
  name: 'RouteConfigurationError'
}

/** A route in the paywall's table cannot be priced as written (thrown by `createPaywall`). */
export class RouteConfigurationError extends BaseError {
  override name = 'RouteConfigurationError' as const

  constructor(route: string, reason: string, { cause }: { cause?: unknown } = {}) {
    super(`Route "${route}": ${sentence(reason)}`, {
      code: 'TOLLGATE_ROUTE_CONFIGURATION',
      metaMessages: [`Route: ${route}`],
      ...(cause === undefined ? {} : { cause }),
    })
  }
}

export type AgentConfigurationErrorType = AgentConfigurationError & {
  name: 'AgentConfigurationError'
}

/** The paywall's `agent` option does not name an ERC-8004 agent (thrown by `createPaywall`). */
export class AgentConfigurationError extends BaseError {
  override name = 'AgentConfigurationError' as const

  constructor(reason: string) {
    super(`The agent option is invalid: ${sentence(reason)}`, {
      code: 'TOLLGATE_AGENT_CONFIGURATION',
    })
  }
}

export type PriceResolutionErrorType = PriceResolutionError & { name: 'PriceResolutionError' }

/** A route's price function threw or returned a price that cannot be charged. */
export class PriceResolutionError extends BaseError {
  override name = 'PriceResolutionError' as const

  constructor(route: string, reason: string, { cause }: { cause?: unknown } = {}) {
    super(`The price of route "${route}" could not be resolved: ${sentence(reason)}`, {
      code: 'TOLLGATE_PRICE_RESOLUTION',
      metaMessages: [`Route: ${route}`],
      ...(cause === undefined ? {} : { cause }),
    })
  }
}

/** One sentence, one final period. */
function sentence(text: string): string {
  return `${text.replace(/\.+$/, '')}.`
}

/**
 * Why the paywall answered instead of the handler. Each kind has one HTTP status, chosen in
 * `statusOf` below and nowhere else.
 */
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
  /** The route's price could not be computed for this request. */
  | 'server_error'

/** The HTTP status of each kind of paywall answer. */
export function statusOf(kind: PaywallFailureKind): number {
  switch (kind) {
    case 'payment_required':
    case 'settlement_failed':
      return 402
    case 'precondition_required':
      return 412
    case 'idempotency_conflict':
      return 409
    case 'bad_request':
      return 400
    case 'facilitator_error':
      return 502
    case 'facilitator_unavailable':
      return 503
    case 'server_error':
      return 500
  }
}

/** The kind of answer for a verification that failed with `reason` (412 for Permit2 allowances, as the reference). */
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
export function facilitatorFailureReason(stage: 'verify' | 'settle'): string {
  return stage === 'verify'
    ? paywallReasons.unexpectedVerifyError
    : paywallReasons.unexpectedSettleError
}
