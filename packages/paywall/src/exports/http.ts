// The HTTP layer every framework adapter shares: routes, the x402 headers, 402 bodies, CORS,
// statuses, the well-known registration file. An adapter builds an exchange and carries out the
// answer; `@tollgate/express` is one. For Web `Request`/`Response` frameworks (Hono, Next.js, a
// bare fetch handler) `handleWebRequest` is that adapter, and `withPaywall` wraps a handler.

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
  type CreatePaywallPageParameters,
  createPaywallPage,
  renderPaywallPage,
} from '../http/page/createPaywallPage.js'
export { paywallPageScriptHash } from '../http/page/pageScript.generated.js'
export type {
  PaywallPage,
  PaywallPageContext,
  PaywallPageOption,
  PaywallPageRenderer,
} from '../http/page/types.js'
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
export {
  type HandleWebRequestParameters,
  handleWebRequest,
} from '../http/web/handleWebRequest.js'
export {
  type HeldWebResponse,
  type HoldWebResponseParameters,
  holdWebResponse,
} from '../http/web/holdWebResponse.js'
export {
  type WebHandler,
  type WithPaywallParameters,
  withPaywall,
} from '../http/web/withPaywall.js'
