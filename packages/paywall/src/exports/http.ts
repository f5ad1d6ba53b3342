// The HTTP layer every framework adapter shares: routes, the x402 headers, 402 bodies, CORS,
// statuses, the well-known registration file. An adapter builds an exchange and carries out the
// answer; `@tollgate/express` is one.

export type {
  FailedEvent,
  PaymentEvent,
  PaymentOption,
  PaywallHooks,
  RouteConfig,
  RoutePrice,
  Routes,
  SettledEvent,
  VerifiedEvent,
} from '../http/config.js'
export type { CorsConfig } from '../http/cors.js'
export {
  type CreateHttpPaywallErrorType,
  type CreateHttpPaywallParameters,
  createHttpPaywall,
  type HttpPaywall,
} from '../http/createHttpPaywall.js'
export {
  type PaywallPageContext,
  type PaywallPageOption,
  type PaywallPageRenderer,
  renderPaywallPage,
} from '../http/page.js'
export {
  type SettlementOverrides,
  setSettlementOverrides,
} from '../http/settlementOverrides.js'
export type {
  HttpAnswer,
  HttpExchange,
  HttpHeld,
  HttpRequestView,
  HttpResponseHeaders,
  PaywallRequest,
  PaywallResponse,
  ResponseHeaders,
} from '../http/types.js'
