import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import {
  type AgentConfigurationErrorType,
  createMemoryStore,
  type RouteConfigurationErrorType,
  type UnsupportedSettlementModeErrorType,
} from '@tollgate/paywall'
import {
  type CreateHttpPaywallParameters,
  createHttpPaywall,
  type HttpPaywall,
  type RouteConfig,
} from '@tollgate/paywall/http'
import { type RouteHandler, toRouteHandler } from './routeHandler.js'

/**
 * The options of {@link createPaywall}: what every wrapped route shares (the facilitator's
 * assets, hooks, the agent, the `store`); each route's price is given to `withPaywall`.
 */
export type CreatePaywallParameters = Omit<CreateHttpPaywallParameters<Request>, 'routes'> & {
  /**
   * The largest route response held until its payment settles, in bytes; a larger one (or an
   * event stream, which never ends) is answered 500 and charges nothing. @default 10485760 (10 MiB)
   */
  maxBodyBytes?: number | undefined
}

/**
 * A route's price and settlement, as in any adapter's `routes` (price functions get the request
 * view, whose `params` are the route's own), and the name hooks and logs call it by.
 */
export type PaidRouteConfig = RouteConfig<Request> & {
  /** How events and logs name the route (`route` in hooks). @default '*' */
  name?: string | undefined
}

/** The paywall of a Next.js app: wraps route handlers. */
export type NextPaywall = {
  /**
   * Puts one App Router route handler behind the paywall: every request it gets is priced by
   * `route`. The handler gets the request and Next's `context` (with its `params`) untouched.
   */
  withPaywall<request extends Request, context>(
    handler: RouteHandler<request, context>,
    route: PaidRouteConfig,
  ): (request: request, context: context) => Promise<Response>
  /**
   * Resolves once the `settlement` mode of every route wrapped so far holds with the facilitator
   * (Next loads route modules lazily, so later ones are checked at their first payment); rejects
   * with `UnsupportedSettlementModeError`, or with the error of `/supported`.
   */
  ready(): Promise<void>
}

/** What `createPaywall` and `withPaywall` throw; `ready()` rejects with `UnsupportedSettlementModeError`. */
export type CreatePaywallErrorType =
  | AgentConfigurationErrorType
  | RouteConfigurationErrorType
  | UnsupportedSettlementModeErrorType

/**
 * The x402 paywall for Next.js App Router route handlers (Node.js or edge runtime): wrap each
 * paid route's handler with `withPaywall`. A request without a payment gets a 402 both protocol
 * versions can pay; with one, the handler runs with its `Response` held whole (up to
 * `maxBodyBytes`) and the payment settles only when it answered below 400, before anything goes
 * out. The wrapped routes share one `store`, so a payment runs one handler once.
 *
 * A Next `proxy.ts` (formerly `middleware.ts`) is not offered: it runs before the route and never
 * sees its response (`NextResponse.next()` is a placeholder 200), so it cannot hold the response
 * until settlement nor leave a failed route unpaid.
 *
 * @example
 * ```ts
 * // lib/paywall.ts
 * import { createLocalFacilitator, createPaywall } from '@tollgate/next'
 * export const paywall = createPaywall(createLocalFacilitator({ publicClient, walletClient }), {})
 *
 * // app/api/report/route.ts
 * import { paywall } from '@/lib/paywall'
 * export const GET = paywall.withPaywall(async () => Response.json({ report: 'paid' }), {
 *   name: 'GET /api/report',
 *   price: '$0.01',
 *   payTo: '0xYourAddress',
 *   network: 'base',
 * })
 * ```
 */
export function createPaywall(
  facilitator: FacilitatorClient,
  parameters: CreatePaywallParameters = {},
): NextPaywall {
  const { maxBodyBytes, store, now, idempotency, ...shared } = parameters
  const maxEntries = idempotency === false ? undefined : idempotency?.maxEntries
  // One store for every wrapped route: one authorization is one call across all of them.
  const sharedStore = store ?? createMemoryStore({ now, maxEntries })
  const paywalls = new Set<HttpPaywall<Request>>()
  return {
    withPaywall(handler, { name = '*', ...route }) {
      const paywall = createHttpPaywall<Request>(facilitator, {
        ...shared,
        now,
        idempotency,
        store: sharedStore,
        routes: { [name]: route },
      })
      paywalls.add(paywall)
      return toRouteHandler(handler, { paywall, key: name, maxBodyBytes })
    },
    async ready() {
      await Promise.all([...paywalls].map((paywall) => paywall.ready()))
    },
  }
}
