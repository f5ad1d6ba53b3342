import { BaseError, type SettlementMode } from '@tollgate/core'

/** A `RouteConfigurationError`, narrowed by its `name`. */
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

/** A `AgentConfigurationError`, narrowed by its `name`. */
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

/** A `PriceResolutionError`, narrowed by its `name`. */
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

/** A `InvalidPriceError`, narrowed by its `name`. */
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

/** A `UnsupportedSettlementModeError`, narrowed by its `name`. */
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

/** A `PaywallStoreError`, narrowed by its `name`. */
export type PaywallStoreErrorType = PaywallStoreError & { name: 'PaywallStoreError' }

/**
 * The paywall's store could not be read or written (a Redis that is down, a full memory store).
 * The paywall fails closed: a payment it cannot record is not served, and nothing is charged.
 * Reported through the logger and the `tollgate:paywall:store-error` channel, never to the client.
 */
export class PaywallStoreError extends BaseError {
  override name = 'PaywallStoreError' as const
  /** The store operation that failed. */
  operation: 'claim' | 'get' | 'set' | 'delete'

  constructor({
    operation,
    cause,
  }: {
    operation: 'claim' | 'get' | 'set' | 'delete'
    cause?: unknown
  }) {
    super(`The paywall store failed to ${operation} a key.`, {
      code: 'TOLLGATE_PAYWALL_STORE',
      metaMessages: [`Operation: ${operation}`],
      docsPath: '/providers/shared-state',
      cause,
    })
    this.operation = operation
  }
}

/** One sentence, one final period. */
function sentence(text: string): string {
  return `${text.replace(/\.+$/, '')}.`
}

/** An `UptoUnavailableError`, narrowed by its `name`. */
export type UptoUnavailableErrorType = UptoUnavailableError & { name: 'UptoUnavailableError' }

/**
 * An `upto` route on a network where the facilitator's `/supported` names no `upto` signer
 * (`extra.facilitatorAddress`): a payer could not name who settles, so the route is refused.
 */
export class UptoUnavailableError extends BaseError {
  override name = 'UptoUnavailableError' as const
  /** The network of the `upto` option. */
  network: string

  constructor({ network }: { network: string }) {
    super(`The facilitator settles no upto payments on ${network}.`, {
      code: 'TOLLGATE_PAYWALL_UPTO_UNAVAILABLE',
      metaMessages: ['Its /supported has no v2 "upto" kind with extra.facilitatorAddress.'],
    })
    this.network = network
  }
}
