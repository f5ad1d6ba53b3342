import type { SettleResponse, VerifyResponse } from '@tollgate/core'
import type {
  FailedEvent as EngineFailedEvent,
  PaymentEvent as EnginePaymentEvent,
} from '../hooks.js'
import type {
  PaymentOption as EnginePaymentOption,
  OfferConfig,
  OfferPrice,
} from '../offer/resolveOffer.js'
import type { PaywallRequest } from './types.js'

// The engine's offer and event types, for HTTP: what a route's price function and the hooks see
// is the request view (`PaywallRequest`), and every failed event has the status the client got.

/**
 * What a route charges, by one rule: a string or a number is WHOLE units of the option's asset
 * (default: the network's USDC), `'$0.01'`, `'0.01'`, `'1'` (one token), `0.25`; atomic units only
 * as a `bigint` or as `{ amount, asset, extra? }`. Or a function of the request returning one of
 * those.
 */
export type RoutePrice<raw = unknown> = OfferPrice<PaywallRequest<raw>>

/** One way to pay for a route: a network, an asset, a payee and a price. */
export type PaymentOption<raw = unknown> = EnginePaymentOption<PaywallRequest<raw>>

/**
 * A priced route. The payment fields at the top level describe one option; `accepts` lists several,
 * each inheriting the top-level fields it does not set.
 */
export type RouteConfig<raw = unknown> = OfferConfig<PaywallRequest<raw>>

/** `{ "GET /report": { price: '$0.01', payTo, network } }`: method (optional) and path pattern. */
export type Routes<raw = unknown> = Readonly<Record<string, RouteConfig<raw>>>

/** What every payment event carries. */
export type PaymentEvent<raw = unknown> = EnginePaymentEvent<PaywallRequest<raw>>

/** The facilitator verified the payment; the handler runs next. */
export type VerifiedEvent<raw = unknown> = PaymentEvent<raw> & {
  verification: VerifyResponse
}

/** The transfer settled and the paid response went out. */
export type SettledEvent<raw = unknown> = PaymentEvent<raw> & {
  settlement: SettleResponse
}

/** A presented payment did not end in a paid response. */
export type FailedEvent<raw = unknown> = EngineFailedEvent<PaywallRequest<raw>> & {
  /** The HTTP status the client was given (the handler's status for `stage: 'handler'`). */
  status: number
}

/**
 * Lifecycle hooks. They run after the fact and cannot change the outcome: one that throws (or
 * rejects) is logged and published on the `tollgate:paywall:hook-error` channel (with the error
 * itself), and a settled payment is still delivered. `onVerified` is awaited before the handler
 * runs; `onSettled` and `onFailed` start once the answer is decided and never delay it.
 */
export type PaywallHooks<raw = unknown> = {
  /** The facilitator verified the payment; the handler runs next. */
  onVerified?: ((event: VerifiedEvent<raw>) => void | Promise<void>) | undefined
  /** The transfer settled and the paid response went out. */
  onSettled?: ((event: SettledEvent<raw>) => void | Promise<void>) | undefined
  /** A presented payment did not end in a paid response. */
  onFailed?: ((event: FailedEvent<raw>) => void | Promise<void>) | undefined
}
