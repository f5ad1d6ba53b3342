import { FacilitatorRequestError } from '../errors.js'
import { type ApiKey, createAuthorizer } from './createAuthorizer.js'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import type { RateLimit } from './rateLimit.js'
import { unavailable } from './responses.js'
import {
  type FacilitatorService,
  type RoutedAnswer,
  routeFacilitatorRequest,
} from './routeFacilitatorRequest.js'

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

/** Options of {@link createFacilitatorHandler}: the HTTP options and where failures go. */
export type CreateFacilitatorHandlerParameters = FacilitatorHttpParameters & {
  /** Gets each request the app answered 5xx because it failed, as a `FacilitatorRequestError`. */
  onError?: ((error: unknown) => void) | undefined
  /** The rate limits' clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** Answers one request, whatever server carries it; never rejects. */
export type FacilitatorHandler = (request: FacilitatorHttpRequest) => Promise<FacilitatorHttpAnswer>

const routeNames = new Set(['verify', 'settle', 'supported', 'health', 'metrics', 'settlements'])

/** The route a path belongs to (a fixed set: paths carry user input, metric labels must not). */
function routeName(path: string): string {
  const first = path.split('/').filter(Boolean)[0] ?? ''
  return routeNames.has(first) ? first : 'unknown'
}

/**
 * The facilitator's HTTP API, transport-neutral: routing, API keys and rate limits, body limits,
 * request metrics, and a 5xx (reported to `onError`) for a request that fails inside.
 */
export function createFacilitatorHandler(
  service: FacilitatorService,
  {
    maxBodyBytes = 65_536,
    apiKeys,
    rateLimit,
    basePath = '',
    onError = () => {},
    now,
  }: CreateFacilitatorHandlerParameters = {},
): FacilitatorHandler {
  const routing = {
    service,
    authorize: createAuthorizer({ apiKeys, rateLimit, now }),
    maxBodyBytes,
  }
  const requests = service.metrics.counter(
    'tollgate_facilitator_http_requests_total',
    'HTTP requests by route and status.',
  )
  const durations = service.metrics.histogram(
    'tollgate_facilitator_http_request_duration_seconds',
    'HTTP request duration by route.',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  )
  return async function handleFacilitatorRequest(request) {
    const started = performance.now()
    const pathname = request.path
    const path =
      basePath && pathname.startsWith(basePath) ? pathname.slice(basePath.length) || '/' : pathname
    let result: RoutedAnswer
    try {
      result = await routeFacilitatorRequest(request, path.replace(/\/+$/, '') || '/', routing)
    } catch (cause) {
      const name = routeName(path)
      result = { name, answer: unavailable(name) }
      onError(new FacilitatorRequestError({ route: name, status: result.answer.status, cause }))
    }
    requests.inc({ route: result.name, status: result.answer.status })
    durations.observe({ route: result.name }, (performance.now() - started) / 1000)
    return result.answer
  }
}
