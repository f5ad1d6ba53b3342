import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type {
  AgentConfigurationErrorType,
  RouteConfigurationErrorType,
  UnsupportedSettlementModeErrorType,
} from '@tollgate/paywall'
import {
  type CreateHttpPaywallParameters,
  createHttpPaywall,
  type HttpPaywall,
  handleWebRequest,
} from '@tollgate/paywall/http'
import type { Context, Env, MiddlewareHandler } from 'hono'

/**
 * The options of {@link createPaywall}: the routes (price functions and hooks get the Hono
 * `Context` as `request.raw`), where shared state lives (`store`), and how the paywall answers.
 */
export type CreatePaywallParameters<env extends Env = Env> = CreateHttpPaywallParameters<
  Context<env>
> & {
  /**
   * The largest handler response held until its payment settles, in bytes; a larger one (or an
   * event stream, which never ends) is answered 500 and charges nothing. @default 10485760 (10 MiB)
   */
  maxBodyBytes?: number | undefined
}

/** The Hono middleware, with `ready()`. */
export type PaywallMiddleware<env extends Env = Env> = MiddlewareHandler<env> & {
  /**
   * Resolves once every route's `settlement` mode is known to hold with the facilitator; rejects
   * with `UnsupportedSettlementModeError` for a route it cannot honour, or with the error of
   * `/supported`. Without it, each route is checked at its first payment.
   */
  ready(): Promise<void>
}

/** What `createPaywall` throws; its `ready()` rejects with `UnsupportedSettlementModeError` too. */
export type CreatePaywallErrorType =
  | AgentConfigurationErrorType
  | RouteConfigurationErrorType
  | UnsupportedSettlementModeErrorType

/**
 * A Hono middleware that charges for the routes in `routes` through x402, on any runtime Hono
 * runs on (Node with `@hono/node-server`, Bun, Deno, Cloudflare Workers without
 * `nodejs_compat`): it uses no Node built-in.
 *
 * A request to a priced route without a payment gets a 402 both protocol versions can pay. With a
 * payment it is verified, the rest of the app runs with its response held whole (read into
 * memory, up to `maxBodyBytes`), and the payment settles only when the handler answered below
 * 400; the response then goes out with `PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`. A route with
 * `order: 'settle-first'` settles before its handler runs. Routes are matched on Hono's own view
 * of the path (`c.req.path`, percent-decoded as its router decodes it), so an encoded path cannot
 * reach a priced handler unpaid. Everything else is `@tollgate/express`'s: one payment runs the
 * handler once (under concurrent replays too, across processes with a shared `store`), 402s are
 * `Cache-Control: no-store`, the `agent` is named in every challenge.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { createLocalFacilitator, createPaywall } from '@tollgate/hono'
 *
 * const app = new Hono()
 * app.use(
 *   createPaywall(createLocalFacilitator({ publicClient, walletClient }), {
 *     routes: { 'GET /report': { price: '$0.01', payTo: '0xYourAddress', network: 'base' } },
 *   }),
 * )
 * app.get('/report', (c) => c.json({ report: 'paid content' }))
 * ```
 */
export function createPaywall<env extends Env = Env>(
  facilitator: FacilitatorClient,
  parameters: CreatePaywallParameters<env>,
): PaywallMiddleware<env> {
  const { maxBodyBytes, ...options } = parameters
  const paywall = createHttpPaywall<Context<env>>(facilitator, options)
  return Object.assign(toHonoMiddleware(paywall, { maxBodyBytes }), {
    ready: () => paywall.ready(),
  })
}

/**
 * The Hono side: the request as Hono's router sees it, the rest of the app run through `next`
 * and its `c.res` held, and the paywall's `Response` put in `c.res`.
 */
function toHonoMiddleware<env extends Env>(
  paywall: HttpPaywall<Context<env>>,
  { maxBodyBytes }: { maxBodyBytes: number | undefined },
): MiddlewareHandler<env> {
  return async function tollgatePaywall(c, next) {
    let ran = false
    // The headers upstream middleware set (Hono's `cors()`, `secureHeaders()`), kept for answers
    // that replace the handler's response.
    let upstream: Headers | undefined
    const response = await handleWebRequest(paywall, {
      request: c.req.raw,
      raw: c,
      path: c.req.path,
      appHeaders: () => upstream ?? c.res.headers,
      async next() {
        ran = true
        upstream = new Headers(c.res.headers)
        await next()
        return c.res
      },
      maxBodyBytes,
    })
    if (response === undefined) {
      if (!ran) await next()
      return
    }
    // Cleared first, or Hono's setter would copy the old response's headers over the paywall's.
    c.res = undefined
    c.res = response
  }
}
