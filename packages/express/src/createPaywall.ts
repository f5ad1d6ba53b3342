import type { IncomingMessage } from 'node:http'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type {
  AgentConfigurationErrorType,
  RouteConfigurationErrorType,
  UnsupportedSettlementModeErrorType,
} from '@tollgate/paywall'
import { type CreateHttpPaywallParameters, createHttpPaywall } from '@tollgate/paywall/http'
import { type PaywallMiddleware, toExpressMiddleware } from './adapter/express.js'

/**
 * The options of {@link createPaywall}: the routes, where shared state lives (`store`), and how
 * the paywall answers and reports.
 */
export type CreatePaywallParameters<request extends IncomingMessage = IncomingMessage> =
  CreateHttpPaywallParameters<request>

/** The middleware, with `ready()`. */
export type CreatePaywallReturnType<request extends IncomingMessage = IncomingMessage> =
  PaywallMiddleware<request>

/** What `createPaywall` throws; its `ready()` rejects with `UnsupportedSettlementModeError` too. */
export type CreatePaywallErrorType =
  | AgentConfigurationErrorType
  | RouteConfigurationErrorType
  | UnsupportedSettlementModeErrorType

/**
 * An Express middleware that charges for the routes in `routes` through x402.
 *
 * A request to a priced route without a payment gets a 402 both protocol versions can pay
 * (`PAYMENT-REQUIRED` header, v1 JSON body, or an HTML page for a browser). With a payment
 * (`PAYMENT-SIGNATURE` or `X-PAYMENT`) it is matched to a requirement, verified by `facilitator`,
 * the handler runs with its response held back, and the payment is settled only when the handler
 * answers below 400; the response then goes out with `PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`. A
 * failed settlement answers 402 and never sends the body. A route with `order: 'settle-first'`
 * settles before its handler runs instead. A `settlement_pending` answer is retried once; if still
 * pending the client gets a 402 with the pending `PAYMENT-RESPONSE`, and sending the same payment
 * again finishes the purchase (never a second charge). Other requests pass through untouched.
 *
 * A route's `settlement` mode holds or the route is refused: it is checked against the
 * facilitator's `/supported` before the route's first payment (or all at once by `ready()`); a
 * mode the facilitator cannot honour answers 500 `settlement_mode_unsupported` and charges nothing.
 *
 * With `agent` (an ERC-8004 identity), every 402 names the agent (`extensions.erc8004`) so a payer
 * can check that `payTo` is its verified wallet, and the middleware serves
 * `GET /.well-known/agent-registration.json`, the domain proof (mount it at the site root).
 *
 * What must outlive a request (taken authorizations, kept responses, settle-first payments) lives
 * in `store`: this process's memory by default; a shared store (`createRedisStore` from
 * `@tollgate/paywall/redis`) makes several processes behind one URL, or one across a restart, run
 * a handler once per payment and answer a repeated payment identifier with the kept response.
 *
 * The options are checked here: a route that cannot be priced throws `RouteConfigurationError`, a
 * malformed `agent` throws `AgentConfigurationError`. Faults the client does not see are warned
 * about on the console unless `logger` says otherwise.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createLocalFacilitator, createPaywall } from '@tollgate/express'
 *
 * const app = express()
 * const paywall = createPaywall(createLocalFacilitator({ publicClient, walletClient }), {
 *   routes: {
 *     'GET /report': { price: '$0.01', payTo: '0xYourAddress', network: 'base-sepolia' },
 *   },
 *   // Optional: the ERC-8004 agent this API belongs to.
 *   agent: { agentRegistry: 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e', agentId: 7n },
 * })
 * await paywall.ready() // every route's settlement mode holds with this facilitator
 * app.use(paywall)
 * app.get('/report', (req, res) => res.json({ report: 'paid content' }))
 * ```
 */
export function createPaywall<request extends IncomingMessage = IncomingMessage>(
  facilitator: FacilitatorClient,
  options: CreatePaywallParameters<request>,
): CreatePaywallReturnType<request> {
  return toExpressMiddleware(createHttpPaywall(facilitator, options))
}
