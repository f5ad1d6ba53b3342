// The paywall engine: transport-free. HTTP is `@tollgate/paywall/http`, Redis `@tollgate/paywall/redis`.

export type {
  AgentRegistrationEntry,
  AgentRegistrationFile,
  PaywallAgent,
} from '../agent.js'
export { type PaywallChannelName, paywallChannels } from '../diagnostics.js'
export {
  type CreatePaywallEngineErrorType,
  type CreatePaywallEngineParameters,
  createPaywallEngine,
  type PaywallEngine,
} from '../engine/createPaywallEngine.js'
export type {
  Held,
  NotServedOutcome,
  Outcome,
  PaidCall,
  PaymentRequiredOutcome,
  RefusedOutcome,
  ReplayedOutcome,
  ResultCodec,
  ServedOutcome,
  SettlementFailedOutcome,
} from '../engine/types.js'
export {
  AgentConfigurationError,
  type AgentConfigurationErrorType,
  InvalidPriceError,
  type InvalidPriceErrorType,
  PaywallStoreError,
  type PaywallStoreErrorType,
  PriceResolutionError,
  type PriceResolutionErrorType,
  RouteConfigurationError,
  type RouteConfigurationErrorType,
  UnsupportedSettlementModeError,
  type UnsupportedSettlementModeErrorType,
  UptoUnavailableError,
  type UptoUnavailableErrorType,
} from '../errors.js'
export type { PaywallFailureKind } from '../failures.js'
export type {
  FailedEvent,
  FailureStage,
  PaymentEvent,
  PaywallHooks,
  SettledEvent,
  VerifiedEvent,
} from '../hooks.js'
export type { IdempotencyConfig } from '../idempotency/createIdempotency.js'
export type { PaywallLogger } from '../logger.js'
export type {
  OfferConfig,
  OfferPrice,
  Offers,
  PaymentOption,
  ResolvedOffer,
  SettlementOrder,
} from '../offer/resolveOffer.js'
export {
  type Payment,
  type PaymentRejection,
  parsePayment,
} from '../payment/parsePayment.js'
export { type PaywallReason, paywallReasons } from '../reasons.js'
export {
  type CreateMemoryStoreParameters,
  createMemoryStore,
} from '../store/createMemoryStore.js'
export type { PaywallStore } from '../store/types.js'
