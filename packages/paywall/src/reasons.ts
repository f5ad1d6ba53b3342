import { reasons } from '@tollgate/core'

/**
 * The `error` strings the paywall puts in its 402s (the v2 `PAYMENT-REQUIRED` `error` field and
 * the v1 body's `error`), besides the facilitator's own `invalidReason` / `errorReason`, which are
 * passed on unchanged. The reference's strings are reused where it has one.
 */
export const paywallReasons = {
  /** No `PAYMENT-SIGNATURE` or `X-PAYMENT` header. */
  paymentRequired: 'payment_required',
  /** The header is not standard padded base64. */
  invalidHeaderEncoding: 'invalid_payment_header_encoding',
  /** The header decodes, but not to JSON. */
  invalidHeaderJson: 'invalid_payment_header_json',
  /** The header is longer than `maxHeaderBytes`. */
  headerTooLarge: 'payment_header_too_large',
  /** The JSON is not a payment payload of its version (or not an exact EVM payload). */
  invalidPayload: reasons.invalidPayload,
  /** `x402Version` is neither 1 nor 2. */
  invalidX402Version: reasons.invalidX402Version,
  /** No requirement of the route uses the payload's scheme. */
  unsupportedScheme: reasons.unsupportedScheme,
  /** No requirement of the route is on the payload's network. */
  invalidNetwork: reasons.invalidNetwork,
  /** `accepted` (v2) or scheme/network/payee/amount (v1) equals none of the route's requirements. */
  noMatchingRequirements: 'no_matching_payment_requirements',
  /** This authorization (chain, asset, payer, nonce) is already being served or was settled. */
  duplicateSettlement: reasons.duplicateSettlement,
  /** The facilitator broadcast the transfer but could not confirm it (yet). */
  settlementPending: reasons.settlementPending,
  /**
   * The facilitator's `/supported`, read before a route's first payment to check its settlement
   * mode, threw (unreachable, timed out, or answered nonsense); nothing was verified or charged.
   */
  unexpectedSupportedError: 'unexpected_supported_error',
  /** The facilitator cannot honour the route's `settlement` mode (HTTP 500); nothing is charged. */
  settlementModeUnsupported: 'settlement_mode_unsupported',
  /** The facilitator's `/verify` threw (unreachable, timed out, or answered nonsense). */
  unexpectedVerifyError: reasons.unexpectedVerifyError,
  /** The facilitator's `/settle` threw: whether the transfer happened is unknown. */
  unexpectedSettleError: reasons.unexpectedSettleError,
  /** The same `payment-identifier` came with a different payload (HTTP 409). */
  paymentIdentifierConflict: 'payment_identifier_conflict',
  /** The route requires a `payment-identifier` and the payload has none (HTTP 400). */
  paymentIdentifierRequired: 'payment_identifier_required',
  /** The `payment-identifier` is not 16-128 characters of `[A-Za-z0-9_-]` (HTTP 400). */
  invalidPaymentIdentifier: 'invalid_payment_identifier',
  /**
   * An `upto` route, and the facilitator's `/supported` names no `upto` signer for its network
   * (`extra.facilitatorAddress`), or could not be read: nothing can be signed for it (HTTP 500).
   */
  uptoUnavailable: 'upto_facilitator_unavailable',
  /** The route's price function threw (HTTP 500). */
  priceUnavailable: 'price_unavailable',
  /** The paywall's store (Redis, ...) could not be read or written (HTTP 503); nothing is charged. */
  storeUnavailable: 'paywall_store_unavailable',
  /** The `agent.registrationFile` function threw (HTTP 500 at the well-known path). */
  registrationUnavailable: 'agent_registration_unavailable',
  /**
   * The handler's response is over the adapter's `maxBodyBytes`: it cannot be held until the payment
   * settles, so it is answered 500 and nothing is charged.
   */
  responseTooLarge: 'paid_response_too_large',
  /**
   * The handler answered with a stream that never ends (`text/event-stream`), or wrote around the
   * framework (Fastify's `reply.raw`, `reply.hijack()`): nothing can be held, so it is answered 500
   * and nothing is charged.
   */
  responseNotHoldable: 'paid_response_not_holdable',
} as const

/** One of {@link paywallReasons}. */
export type PaywallReason = (typeof paywallReasons)[keyof typeof paywallReasons]
