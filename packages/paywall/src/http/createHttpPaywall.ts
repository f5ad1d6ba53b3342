import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import type { PaywallAgent } from '../agent.js'
import { createPaywallEngine, type PaywallEngine } from '../engine/createPaywallEngine.js'
import type { AgentConfigurationErrorType, RouteConfigurationErrorType } from '../errors.js'
import type { PaywallHooks as EngineHooks } from '../hooks.js'
import type { IdempotencyConfig } from '../idempotency/createIdempotency.js'
import { createReport, type PaywallLogger, type Report } from '../logger.js'
import { readSettlementOverrides } from '../offer/charge.js'
import type { ResolvedOffer } from '../offer/resolveOffer.js'
import { paywallReasons } from '../reasons.js'
import type { PaywallStore } from '../store/types.js'
import { buildErrorResponse } from './challenge.js'
import type { PaywallHooks, Routes } from './config.js'
import {
  applyCors,
  type CorsConfig,
  preflightResponse,
  type ResolvedCors,
  resolveCors,
} from './cors.js'
import { renderPaywallPage } from './page/createPaywallPage.js'
import type { PaywallPageRenderer } from './page/types.js'
import { readPayment } from './paymentHeader.js'
import { renderOutcome } from './render.js'
import { type HttpResult, httpResultCodec } from './resultCodec.js'
import { compileRoutePattern, findRoute, matchRoute, type RoutePattern } from './routes.js'
import { settlementOverridesHeader } from './settlementOverrides.js'
import { statusOf } from './status.js'
import type {
  HttpAnswer,
  HttpExchange,
  HttpRequestView,
  HttpResponseHeaders,
  PaywallRequest,
} from './types.js'
import { agentRegistrationResponse, isWellKnownRequest } from './wellKnown.js'

/** The parameters of an HTTP paywall, whatever the framework. */
export type CreateHttpPaywallParameters<raw = unknown> = {
  /** The priced routes; a request no key matches passes through untouched. */
  routes: Routes<raw>
  /** Tokens to know besides the built-in USDC registry (decimals, symbol, EIP-712 domain). */
  assets?: readonly Asset[] | undefined
  hooks?: PaywallHooks<raw> | undefined
  /**
   * The HTML page for browsers (`Accept: text/html`): `createPaywallPage(...)` for a page a person
   * pays with a browser wallet, your own renderer, or `false` to answer browsers with JSON too.
   * @default renderPaywallPage (`createPaywallPage()`: v2, no chains to add)
   */
  paywallPage?: false | PaywallPageRenderer | undefined
  /** CORS for priced routes; `false` leaves CORS to the app. @default { origin: '*' } */
  cors?: boolean | CorsConfig | undefined
  /** Largest payment header accepted, in bytes of base64. @default 16384 */
  maxHeaderBytes?: number | undefined
  /** Payment-identifier idempotency; `false` turns it off. @default {} (optional identifier) */
  idempotency?: false | IdempotencyConfig | undefined
  /**
   * Where facilitator faults, failed settlements, store failures, refused settlement modes and
   * throwing hooks or price functions are reported, as plain text without secrets (no payment
   * signatures, keys or credentials); `false` reports nothing (the diagnostics channels still
   * carry every event).
   * @default the console (`console.warn`, `console.error`)
   */
  logger?: PaywallLogger | false | undefined
  /**
   * The clock of every store entry (taken authorizations, kept payments, idempotent responses),
   * in milliseconds since the Unix epoch. @default Date.now
   */
  now?: (() => number) | undefined
  /**
   * The provider's ERC-8004 agent identity: named in every 402 (`extensions.erc8004`, in the v2
   * header and the v1 body) so a payer can check `payTo` against the agent's verified wallet, and
   * proven by serving `GET /.well-known/agent-registration.json`.
   */
  agent?: PaywallAgent | undefined
  /**
   * Where the paywall keeps what must outlive one request: taken authorizations, responses kept
   * for a payment identifier or a pending settlement, settle-first payments, their locks. The
   * default lives in this process; a shared store (`createRedisStore` from
   * `@tollgate/paywall/redis`) lets several processes behind one URL, and one across a restart,
   * run a handler once per payment. @default createMemoryStore({ now })
   */
  store?: PaywallStore | undefined
}

/** The HTTP paywall a framework adapter drives: one call per request. */
export type HttpPaywall<raw = unknown> = {
  /**
   * Decides a request: a CORS preflight or the agent's registration file answered, a priced route
   * challenged or paid for (the handler run through `exchange.run`), anything else passed on.
   */
  handle(exchange: HttpExchange<raw>): Promise<HttpAnswer>
  /**
   * Checks every route's `settlement` mode against the facilitator's `/supported`; rejects with
   * `UnsupportedSettlementModeError`, or the error of `/supported`.
   */
  ready(): Promise<void>
}

/** What {@link createHttpPaywall} throws. */
export type CreateHttpPaywallErrorType = AgentConfigurationErrorType | RouteConfigurationErrorType

type Resolved<raw> = {
  engine: PaywallEngine<PaywallRequest<raw>, HttpResult>
  table: readonly { pattern: RoutePattern; route: ResolvedOffer<PaywallRequest<raw>> }[]
  cors: ResolvedCors | undefined
  paywallPage: false | PaywallPageRenderer
  assets: readonly Asset[] | undefined
  maxHeaderBytes: number
  report: Report
}

/**
 * The HTTP layer every framework shares, over the paywall engine: the route table, the x402
 * headers, 402 bodies (v2 header, v1 JSON, HTML page), CORS, the statuses, the well-known
 * registration file. An adapter (Express, Hono, a `(Request) => Response` handler) only builds an
 * {@link HttpExchange} and carries out the {@link HttpAnswer}.
 *
 * @example
 * ```ts
 * import { createHttpPaywall } from '@tollgate/paywall/http'
 *
 * const paywall = createHttpPaywall(facilitator, {
 *   routes: { 'GET /report': { price: '$0.01', payTo: '0xYourAddress', network: 'base-sepolia' } },
 * })
 * const answer = await paywall.handle({ request, response, run })
 * ```
 */
export function createHttpPaywall<raw = unknown>(
  facilitator: FacilitatorClient,
  parameters: CreateHttpPaywallParameters<raw>,
): HttpPaywall<raw> {
  const engine = createPaywallEngine<PaywallRequest<raw>, HttpResult>(facilitator, {
    offers: parameters.routes,
    codec: httpResultCodec,
    assets: parameters.assets,
    // `statusOf` is given, so every failed event has its status, as the HTTP hooks' type says.
    hooks: parameters.hooks as EngineHooks<PaywallRequest<raw>> | undefined,
    idempotency: parameters.idempotency,
    logger: parameters.logger,
    now: parameters.now,
    agent: parameters.agent,
    store: parameters.store,
    statusOf,
  })
  const resolved: Resolved<raw> = {
    engine,
    table: engine.offers.map((route) => ({ pattern: compileRoutePattern(route.key), route })),
    cors: resolveCors(parameters.cors),
    paywallPage: parameters.paywallPage ?? renderPaywallPage,
    assets: parameters.assets,
    maxHeaderBytes: parameters.maxHeaderBytes ?? 16_384,
    report: createReport(parameters.logger),
  }
  return { handle: (exchange) => handle(resolved, exchange), ready: () => engine.ready() }
}

async function handle<raw>(
  paywall: Resolved<raw>,
  exchange: HttpExchange<raw>,
): Promise<HttpAnswer> {
  const { request } = exchange
  if (request.method === 'OPTIONS') return preflight(paywall, request)
  if (paywall.engine.agent && isWellKnownRequest(request.method, request.path))
    return wellKnown(paywall, request)
  const match = exchange.route
    ? findRoute(paywall.table, exchange.route)
    : matchRoute(paywall.table, request)
  if (!match) return { kind: 'pass' }
  if (paywall.cors) applyCors(paywall.cors, request.header('origin'), exchange.response)
  const route = match.route
  const outcome = await paywall.engine.handle({
    offer: route,
    request: { ...request, params: match.params },
    resource: request.url,
    payment: readPayment(request, { maxBytes: paywall.maxHeaderBytes }),
    run: async () => {
      const held = await exchange.run()
      const { aborted, status } = held
      const charge = takeSettlementOverrides(exchange.response)
      return {
        ok: !aborted && status < 400,
        aborted,
        status,
        result: held,
        ...(charge === undefined ? {} : { charge }),
      }
    },
  })
  const page =
    paywall.paywallPage && wantsHtml(request)
      ? { render: paywall.paywallPage, assets: paywall.assets }
      : undefined
  return renderOutcome(outcome, { offer: route, page })
}

/** The answer to a CORS preflight for a priced route; anything else is the app's. */
function preflight<raw>(paywall: Resolved<raw>, request: HttpRequestView<raw>): HttpAnswer {
  const requestMethod = request.header('access-control-request-method')
  if (!paywall.cors || !requestMethod) return { kind: 'pass' }
  if (!matchRoute(paywall.table, { method: requestMethod, path: request.path }))
    return { kind: 'pass' }
  const response = preflightResponse(paywall.cors, {
    origin: request.header('origin'),
    requestMethod,
    requestHeaders: request.header('access-control-request-headers'),
  })
  return response ? { kind: 'respond', response } : { kind: 'pass' }
}

/** The agent's registration file; a `registrationFile` function that throws is a logged 500. */
async function wellKnown<raw>(
  paywall: Resolved<raw>,
  request: HttpRequestView<raw>,
): Promise<HttpAnswer> {
  const agent = paywall.engine.agent!
  try {
    const cors = paywall.cors !== undefined
    const response = await agentRegistrationResponse(agent, { method: request.method, cors })
    return { kind: 'respond', response }
  } catch (error) {
    paywall.report('error', 'the registration file could not be built', { error })
    const response = buildErrorResponse({
      status: statusOf('server_error'),
      error: paywallReasons.registrationUnavailable,
      message: 'The agent registration file could not be built.',
    })
    return { kind: 'respond', response }
  }
}

/** A browser navigating to the resource, not a script. */
function wantsHtml(request: HttpRequestView<unknown>): boolean {
  if (request.method !== 'GET') return false
  return (request.header('accept') ?? '').toLowerCase().includes('text/html')
}

/**
 * The usage an `upto` handler reported in the reference's `Settlement-Overrides` response header
 * (`setSettlementOverrides`), taken off the response where the adapter can remove headers: it is
 * for the paywall, not the client (the charge travels in `PAYMENT-RESPONSE`).
 */
function takeSettlementOverrides(response: HttpResponseHeaders): string | undefined {
  const header = response.getHeader(settlementOverridesHeader)
  if (header === undefined) return undefined
  response.removeHeader?.(settlementOverridesHeader)
  // Present but not the reference's JSON: an unreadable report, which charges the maximum.
  return readSettlementOverrides(header) ?? 'unreadable'
}
