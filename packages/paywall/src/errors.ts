import { BaseError, type SettlementMode } from '@tollgate/core'
import { paywallReasons } from './reasons.js'

export type RouteConfigurationErrorType = RouteConfigurationError & {
  name: 'RouteConfigurationError'
}

/** A route in the paywall's table cannot be priced as written (thrown by `createPaywall`). */
export class RouteConfigurationError extends BaseError {
  override name = 'RouteConfigurationError' as const
  /** The route key as written (`"GET /report"`, or `"GET /report accepts[1]"` for one option). */
  route: string
  /** What is wrong with it. */
  reason: string

  constructor({ route, reason, cause }: { route: string; reason: string; cause?: unknown }) {
    super(`Route "${route}": ${sentence(reason)}`, {
      code: 'TOLLGATE_ROUTE_CONFIGURATION',
      metaMessages: [`Route: ${route}`],
      docsPath: '/getting-started/api-providers#3-price-your-routes',
      cause,
    })
    this.route = route
    this.reason = reason
  }
}

export type AgentConfigurationErrorType = AgentConfigurationError & {
  name: 'AgentConfigurationError'
}

/**
 * The paywall's `agent` option does not name an ERC-8004 agent (thrown by `createPaywall`), or its
 * `registrationFile` function returned something that is not a JSON object.
 */
export class AgentConfigurationError extends BaseError {
  override name = 'AgentConfigurationError' as const
  /** What is wrong with it. */
  reason: string

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(`The agent option is invalid: ${sentence(reason)}`, {
      code: 'TOLLGATE_AGENT_CONFIGURATION',
      docsPath: '/concepts/identities',
      cause,
    })
    this.reason = reason
  }
}

export type PriceResolutionErrorType = PriceResolutionError & { name: 'PriceResolutionError' }

/** A route's price function threw or returned a price that cannot be charged. */
export class PriceResolutionError extends BaseError {
  override name = 'PriceResolutionError' as const
  /** The route key (`"GET /report"`). */
  route: string
  /** What went wrong. */
  reason: string

  constructor({ route, reason, cause }: { route: string; reason: string; cause?: unknown }) {
    super(`The price of route "${route}" could not be resolved: ${sentence(reason)}`, {
      code: 'TOLLGATE_PRICE_RESOLUTION',
      metaMessages: [`Route: ${route}`],
      docsPath: '/getting-started/api-providers#3-price-your-routes',
      cause,
    })
    this.route = route
    this.reason = reason
  }
}

export type InvalidPriceErrorType = InvalidPriceError & { name: 'InvalidPriceError' }

/**
 * A price value cannot be charged (no asset, unknown decimals, zero, ...): the `cause` of a
 * `RouteConfigurationError` or a `PriceResolutionError`, which name the route.
 */
export class InvalidPriceError extends BaseError {
  override name = 'InvalidPriceError' as const
  /** What is wrong with the price. */
  reason: string

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(sentence(reason), {
      code: 'TOLLGATE_PRICE_INVALID',
      docsPath: '/getting-started/api-providers#3-price-your-routes',
      cause,
    })
    this.reason = reason
  }
}

export type UnsupportedSettlementModeErrorType = UnsupportedSettlementModeError & {
  name: 'UnsupportedSettlementModeError'
}

/**
 * A route asks for a settlement mode its facilitator cannot honour on one of its networks (by the
 * facilitator's `/supported`): the route is refused rather than settled in another mode. Thrown by
 * the paywall's `ready()`, and logged when a payment arrives for the route.
 */
export class UnsupportedSettlementModeError extends BaseError {
  override name = 'UnsupportedSettlementModeError' as const
  /** The route key (`"GET /report"`). */
  route: string
  /** The network (CAIP-2) of the route's payment option. */
  network: string
  /** The mode the route asks for. */
  settlement: SettlementMode
  /**
   * The modes the facilitator honours for the route's kind (`['confirmed']` for one that lists
   * none), or `undefined` when it does not support the kind at all.
   */
  supportedModes: readonly SettlementMode[] | undefined

  constructor({
    route,
    network,
    settlement,
    supportedModes,
  }: {
    route: string
    network: string
    settlement: SettlementMode
    supportedModes: readonly SettlementMode[] | undefined
  }) {
    super(
      supportedModes === undefined
        ? `Route "${route}" asks for settlement "${settlement}", but the facilitator does not support exact payments on ${network}.`
        : `Route "${route}" asks for settlement "${settlement}", which the facilitator cannot honour on ${network}.`,
      {
        code: 'TOLLGATE_SETTLEMENT_MODE_UNSUPPORTED',
        metaMessages: [
          `Route: ${route}`,
          `Network: ${network}`,
          `Facilitator honours: ${supportedModes === undefined ? 'nothing on this network' : supportedModes.join(', ')}`,
        ],
        docsPath: '/providers/settlement#per-route-order-and-settlement',
      },
    )
    this.route = route
    this.network = network
    this.settlement = settlement
    this.supportedModes = supportedModes
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
  /** The route's price could not be computed, or its settlement mode cannot be honoured. */
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
export function facilitatorFailureReason(stage: 'supported' | 'verify' | 'settle'): string {
  if (stage === 'supported') return paywallReasons.unexpectedSupportedError
  return stage === 'verify'
    ? paywallReasons.unexpectedVerifyError
    : paywallReasons.unexpectedSettleError
}
