// The provider's side of x402 for Express: the paywall middleware (and, for one import, the
// in-process facilitator, which lives in `@tollgate/evm`).

export {
  type CreateLocalFacilitatorParameters,
  type CreateLocalFacilitatorReturnType,
  createLocalFacilitator,
} from '@tollgate/evm'
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
export {
  AgentConfigurationError,
  type AgentConfigurationErrorType,
  InvalidPriceError,
  type InvalidPriceErrorType,
  PriceResolutionError,
  type PriceResolutionErrorType,
  RouteConfigurationError,
  type RouteConfigurationErrorType,
  UnsupportedSettlementModeError,
  type UnsupportedSettlementModeErrorType,
} from '../errors.js'
export type {
  AgentRegistrationEntry,
  AgentRegistrationFile,
  PaywallAgent,
} from '../flow/agent.js'
export type { CorsConfig } from '../flow/cors.js'
export {
  type FailedEvent,
  type FailureStage,
  type PaymentEvent,
  type PaywallHooks,
  paywallChannels,
  type SettledEvent,
  type VerifiedEvent,
} from '../flow/events.js'
export type { IdempotencyConfig } from '../flow/idempotency.js'
export type { PaywallLogger } from '../flow/logger.js'
export type { PaywallRequest } from '../flow/request.js'
export type {
  PaymentOption,
  RouteConfig,
  RoutePrice,
  Routes,
  SettlementOrder,
} from '../flow/requirements.js'
export {
  type PaywallPageContext,
  type PaywallPageOption,
  type PaywallPageRenderer,
  renderPaywallPage,
} from '../paywall/page.js'
export { type PaywallReason, paywallReasons } from '../reasons.js'
