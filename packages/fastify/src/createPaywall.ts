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
  type Routes,
} from '@tollgate/paywall/http'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createLifecycle } from './adapter/lifecycle.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Prices this route through `@tollgate/fastify`'s paywall (its price, payee, network, order). */
    paywall?: RouteConfig<FastifyRequest> | undefined
  }
}

/**
 * The options of {@link createPaywall}: the routes priced by pattern (or none, with each route's
 * `config.paywall`), where shared state lives (`store`), and how the paywall answers.
 */
export type CreatePaywallParameters = Omit<
  CreateHttpPaywallParameters<FastifyRequest>,
  'routes'
> & {
  /** Routes priced by method and path pattern; routes may also carry their own `config.paywall`. */
  routes?: Routes<FastifyRequest> | undefined
  /**
   * The largest reply held until its payment settles, in bytes; a larger one (or an event
   * stream, which never ends) is answered 500 and charges nothing. @default 10485760 (10 MiB)
   */
  maxBodyBytes?: number | undefined
}

/** The Fastify plugin (wrapped with `fastify-plugin`), with `ready()`. */
export type PaywallPlugin = FastifyPluginAsync & {
  /**
   * Resolves once every priced route's `settlement` mode holds with the facilitator (call it
   * after `app.ready()`, so routes priced by `config.paywall` are known); rejects with
   * `UnsupportedSettlementModeError`, or with the error of `/supported`.
   */
  ready(): Promise<void>
}

/** What `createPaywall` throws; `app.ready()` rejects with `RouteConfigurationError` for a bad `config.paywall`. */
export type CreatePaywallErrorType =
  | AgentConfigurationErrorType
  | RouteConfigurationErrorType
  | UnsupportedSettlementModeErrorType

const defaultMaxBodyBytes = 10 * 1024 * 1024

/**
 * A Fastify plugin that charges for routes through x402: those in `routes`, and any route whose
 * options carry `config: { paywall: { price, payTo, network } }`. Register it before the routes,
 * in the context it should cover (it uses `fastify-plugin`, so its hooks apply to that context
 * and its children, not only inside the plugin).
 *
 * A request to a priced route without a payment gets a 402 both protocol versions can pay, from
 * `preHandler` (the body is parsed by then, and a request failing validation gets its free 400
 * first). With a payment it is verified, the handler runs, and `onSend` holds whatever it answered
 * (strings, buffers, streams, Web `Response`s, read with their real status) until the payment
 * settles; the reply then goes out with `PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`, or, when the
 * handler answered 400 or more, as it was, charging nothing. A handler that writes around Fastify
 * (`reply.raw`, `reply.hijack()`) on a paid route gets a 500 instead, charging nothing.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { createLocalFacilitator, createPaywall } from '@tollgate/fastify'
 *
 * const app = Fastify()
 * await app.register(createPaywall(createLocalFacilitator({ publicClient, walletClient }), {}))
 * app.get(
 *   '/report',
 *   { config: { paywall: { price: '$0.01', payTo: '0xYourAddress', network: 'base' } } },
 *   async () => ({ report: 'paid content' }),
 * )
 * ```
 */
export function createPaywall(
  facilitator: FacilitatorClient,
  parameters: CreatePaywallParameters,
): PaywallPlugin {
  const { maxBodyBytes = defaultMaxBodyBytes, routes = {}, ...options } = parameters
  const maxEntries = options.idempotency === false ? undefined : options.idempotency?.maxEntries
  const store = options.store ?? createMemoryStore({ now: options.now, maxEntries })
  const build = (configured: Routes<FastifyRequest>) =>
    createHttpPaywall<FastifyRequest>(facilitator, {
      ...options,
      store,
      routes: { ...configured, ...routes },
    })
  // Built now so a bad `routes` entry throws here; rebuilt once the routes' own configs are known.
  let paywall: HttpPaywall<FastifyRequest> = build({})
  const configured = new Map<string, RouteConfig<FastifyRequest>>()
  const lifecycle = createLifecycle({
    paywall: () => paywall,
    route(request) {
      if (!request.routeOptions.config?.paywall) return undefined
      const url = request.routeOptions.url ?? ''
      let key = `${request.method} ${url}`
      // A HEAD route Fastify made for a GET carries its config; it is priced as that GET.
      if (!configured.has(key) && request.method === 'HEAD') key = `GET ${url}`
      return { key, params: request.params as Record<string, string> }
    },
    maxBodyBytes,
  })
  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook('onRoute', (route) => {
      const config = route.config?.paywall
      if (!config) return
      for (const method of [route.method].flat()) configured.set(`${method} ${route.url}`, config)
    })
    app.addHook('onReady', async () => {
      if (configured.size > 0) paywall = build(Object.fromEntries(configured))
    })
    app.addHook('preHandler', lifecycle.preHandler)
    app.addHook('onSend', lifecycle.onSend)
  }
  return Object.assign(fp(plugin, { fastify: '5.x', name: '@tollgate/fastify' }), {
    ready: () => paywall.ready(),
  })
}
