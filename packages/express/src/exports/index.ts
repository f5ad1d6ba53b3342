// The provider's side of x402 for Express: the paywall middleware (and, for one import, the
// in-process facilitator, which lives in `@tollgate/evm`). The paywall itself is
// `@tollgate/paywall` (the engine) and `@tollgate/paywall/http`; its public parts are re-exported
// here so a provider imports from one place.

export {
  type CreateLocalFacilitatorParameters,
  type CreateLocalFacilitatorReturnType,
  createLocalFacilitator,
} from '@tollgate/evm'
export {
  AgentConfigurationError,
  type AgentConfigurationErrorType,
  type AgentRegistrationEntry,
  type AgentRegistrationFile,
  type FailureStage,
  type IdempotencyConfig,
  InvalidPriceError,
  type InvalidPriceErrorType,
  type PaywallAgent,
  type PaywallLogger,
  type PaywallReason,
  type PaywallStore,
  PriceResolutionError,
  type PriceResolutionErrorType,
  paywallChannels,
  paywallReasons,
  RouteConfigurationError,
  type RouteConfigurationErrorType,
  type SettlementOrder,
  UnsupportedSettlementModeError,
  type UnsupportedSettlementModeErrorType,
  UptoUnavailableError,
  type UptoUnavailableErrorType,
} from '@tollgate/paywall'
export {
  type CorsConfig,
  type CreatePaywallPageParameters,
  createPaywallPage,
  type FailedEvent,
  type PaymentEvent,
  type PaymentOption,
  type PaywallHooks,
  type PaywallPage,
  type PaywallPageContext,
  type PaywallPageOption,
  type PaywallPageRenderer,
  type PaywallRequest,
  paywallPageScriptHash,
  type RouteConfig,
  type RoutePrice,
  type Routes,
  renderPaywallPage,
  type SettledEvent,
  type SettlementOverrides,
  setSettlementOverrides,
  type VerifiedEvent,
} from '@tollgate/paywall/http'
export type {
  ExpressLikeRequest,
  NextFunction,
  PaywallMiddleware,
} from '../adapter/express.js'
export {
  type CreatePaywallErrorType,
  type CreatePaywallParameters,
  type CreatePaywallReturnType,
  createPaywall,
} from '../createPaywall.js'
