// The provider's side of x402 for Express: the paywall middleware and an in-process facilitator.

export type {
  ExpressLikeRequest,
  NextFunction,
  PaywallMiddleware,
} from '../adapter/express.js'
export {
  type CreateLocalFacilitatorParameters,
  type CreateLocalFacilitatorReturnType,
  createLocalFacilitator,
} from '../createLocalFacilitator.js'
export {
  type CreatePaywallErrorType,
  type CreatePaywallParameters,
  type CreatePaywallReturnType,
  createPaywall,
} from '../createPaywall.js'
export {
  AgentConfigurationError,
  type AgentConfigurationErrorType,
  type PaywallFailureKind,
  PriceResolutionError,
  type PriceResolutionErrorType,
  RouteConfigurationError,
  type RouteConfigurationErrorType,
  statusOf,
} from '../errors.js'
export {
  type AgentIdentityExtension,
  type AgentRegistrationEntry,
  type AgentRegistrationFile,
  agentIdentityExtension,
  agentRegistrationPath,
  type PaywallAgent,
} from '../flow/agent.js'
export type { CorsOptions } from '../flow/cors.js'
export {
  type FailedEvent,
  type FailureStage,
  type PaymentEvent,
  type PaywallHooks,
  type PaywallLogger,
  paywallChannels,
  type SettledEvent,
  type VerifiedEvent,
} from '../flow/events.js'
export type { IdempotencyOptions } from '../flow/idempotency.js'
export type { PaywallOptions } from '../flow/paywallFlow.js'
export type { PaywallRequest } from '../flow/request.js'
export type {
  PaymentOption,
  RouteConfig,
  RoutePrice,
  Routes,
  SettlementMode,
  SettlementOrder,
} from '../flow/requirements.js'
export {
  type PaywallPageContext,
  type PaywallPageOption,
  type PaywallPageRenderer,
  renderPaywallPage,
} from '../paywall/page.js'
export { type PaywallReason, paywallReasons } from '../reasons.js'
