import type { Facilitator } from '../createFacilitator.js'
import { FacilitatorRequestError } from '../errors.js'
import { type ApiKey, createAuthorizer } from './createAuthorizer.js'
import { answerSettle, answerVerify } from './paymentRoutes.js'
import type { RateLimit } from './rateLimit.js'
import { error, json, unavailable } from './responses.js'
import { answerSettlements } from './settlementsRoute.js'

export type { ApiKey }

/** HTTP options of the facilitator (`createFacilitator({ http })`). */
export type FacilitatorHttpParameters = {
  /** Largest request body accepted, in bytes. @default 65_536 */
  maxBodyBytes?: number | undefined
  /**
   * When set, `/verify`, `/settle` and `/settlements` need one of these keys, as
   * `Authorization: Bearer <key>` or `X-API-Key: <key>`. `/supported`, `/health` and `/metrics`
   * stay open.
   */
  apiKeys?: readonly ApiKey[] | undefined
  /** Rate limit per API key (keys without their own), or for every caller when there are no keys. */
  rateLimit?: RateLimit | undefined
  /** Path prefix the routes live under, e.g. `/facilitator`. @default '' */
  basePath?: string | undefined
}

/** A Web-standard handler: `{ fetch(request) }`. */
export type FacilitatorApp = { fetch(request: Request): Promise<Response> }

/** Options of {@link createFacilitatorApp}: the HTTP options and where failures go. */
export type CreateFacilitatorAppParameters = FacilitatorHttpParameters & {
  /** Gets each request the app answered 5xx because it failed, as a `FacilitatorRequestError`. */
  onError?: ((error: unknown) => void) | undefined
}

type Service = Pick<
  Facilitator,
  'verify' | 'settle' | 'supported' | 'status' | 'health' | 'metrics'
>

const routeNames = new Set(['verify', 'settle', 'supported', 'health', 'metrics', 'settlements'])

/** The route a path belongs to (a fixed set: paths carry user input, metric labels must not). */
function routeName(path: string): string {
  const first = path.split('/').filter(Boolean)[0] ?? ''
  return routeNames.has(first) ? first : 'unknown'
}

type Routing = {
  service: Service
  authorize: (request: Request) => Response | undefined
  maxBodyBytes: number
}

/** Picks the route of a request (`path` without the base path) and answers it. */
async function route(
  request: Request,
  path: string,
  { service, authorize, maxBodyBytes }: Routing,
): Promise<{ name: string; response: Response }> {
  const method = request.method
  const allow = (name: string, allowed: string, handler: () => Promise<Response> | Response) =>
    method === allowed || (allowed === 'GET' && method === 'HEAD')
      ? Promise.resolve(handler()).then((response) => ({ name, response }))
      : Promise.resolve({
          name,
          response: error(405, 'method_not_allowed', `Use ${allowed}.`, {}, { allow: allowed }),
        })
  if (path === '/verify')
    return allow(
      'verify',
      'POST',
      () => authorize(request) ?? answerVerify(request, maxBodyBytes, service.verify),
    )
  if (path === '/settle')
    return allow(
      'settle',
      'POST',
      () => authorize(request) ?? answerSettle(request, maxBodyBytes, service.settle),
    )
  if (path === '/supported')
    return allow('supported', 'GET', () => {
      const version = new URL(request.url).searchParams.get('x402Version')
      return json(200, service.supported(version === '1' ? { x402Version: 1 } : {}))
    })
  if (path === '/health')
    return allow('health', 'GET', async () => {
      const health = await service.health()
      return json(health.status === 'ok' ? 200 : 503, health)
    })
  if (path === '/metrics')
    return allow(
      'metrics',
      'GET',
      async () =>
        new Response(await service.metrics.render(), {
          headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
        }),
    )
  if (path === '/settlements' || path.startsWith('/settlements/'))
    return allow('settlements', 'GET', () => {
      const denied = authorize(request)
      if (denied) return denied
      return answerSettlements(request, path.split('/').filter(Boolean).slice(1), service.status)
    })
  return { name: 'unknown', response: error(404, 'not_found', `No route ${method} ${path}.`) }
}

/**
 * The facilitator's HTTP API on Web `Request`/`Response`: `POST /verify`, `POST /settle`,
 * `GET /supported`, `GET /settlements/...` (status), `GET /health`, `GET /metrics`. Invalid
 * payments are answered `200` with `isValid: false` / `success: false`, as the reference
 * facilitators do; malformed requests get `4xx` with a JSON `{ error, message }` body that also
 * has the response shape x402 clients parse.
 */
export function createFacilitatorApp(
  service: Service,
  {
    maxBodyBytes = 65_536,
    apiKeys,
    rateLimit,
    basePath = '',
    onError = () => {},
  }: CreateFacilitatorAppParameters = {},
): FacilitatorApp {
  const routing = { service, authorize: createAuthorizer({ apiKeys, rateLimit }), maxBodyBytes }
  const requests = service.metrics.counter(
    'tollgate_facilitator_http_requests_total',
    'HTTP requests by route and status.',
  )
  const durations = service.metrics.histogram(
    'tollgate_facilitator_http_request_duration_seconds',
    'HTTP request duration by route.',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  )

  return {
    async fetch(request) {
      const started = performance.now()
      const pathname = new URL(request.url).pathname
      const path =
        basePath && pathname.startsWith(basePath)
          ? pathname.slice(basePath.length) || '/'
          : pathname
      let result: { name: string; response: Response }
      try {
        result = await route(request, path.replace(/\/+$/, '') || '/', routing)
      } catch (cause) {
        const name = routeName(path)
        result = { name, response: unavailable(name) }
        onError(new FacilitatorRequestError({ route: name, status: result.response.status, cause }))
      }
      requests.inc({ route: result.name, status: result.response.status })
      durations.observe({ route: result.name }, (performance.now() - started) / 1000)
      return result.response
    },
  }
}
