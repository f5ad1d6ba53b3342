import { createHash } from 'node:crypto'
import {
  type FacilitatorRequest,
  reasons,
  type SettlementMode,
  type SettlementStatusResponse,
  settlementModes,
  settleRequestSchema,
  verifyRequestSchema,
} from '@tollgate/core'
import type { Address, Hex } from 'viem'
import type { Facilitator } from '../createFacilitator.js'
import { FacilitatorRequestError } from '../errors.js'
import type { SettlementStatus } from '../toSettlementStatus.js'
import { createRateLimiter, type RateLimit } from './rateLimit.js'
import { readJsonBody } from './readJsonBody.js'

/** An API key, with its own rate limit if it needs one. */
export type ApiKey = string | { key: string; rateLimit?: RateLimit | undefined }

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

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
  })
}

/** An error body: a stable reason code and a message, plus the response shape x402 clients parse. */
function error(
  status: number,
  code: string,
  message: string,
  shape: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return json(status, { ...shape, error: code, message }, headers)
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

/** The JSON of a status: bigints as decimal strings, absent values as `null` (every key always there). */
function toStatusJson(status: SettlementStatus): SettlementStatusResponse {
  return {
    ...status,
    value: status.value.toString(),
    blockNumber: status.blockNumber?.toString() ?? null,
    confirmations: status.confirmations?.toString() ?? null,
    reason: status.reason ?? null,
    paymentId: status.paymentId ?? null,
  }
}

const routeNames = new Set(['verify', 'settle', 'supported', 'health', 'metrics', 'settlements'])

/** The route a path belongs to (a fixed set: paths carry user input, metric labels must not). */
function routeName(path: string): string {
  const first = path.split('/').filter(Boolean)[0] ?? ''
  return routeNames.has(first) ? first : 'unknown'
}

/** A chain in a status path: `84532` or its CAIP-2 form `eip155:84532`. */
function parseChainSegment(segment: string | undefined): number | undefined {
  // `:` may come percent-encoded (`eip155%3A84532`).
  const match = /^(?:eip155(?::|%3a))?(\d{1,15})$/i.exec(segment ?? '')
  return match ? Number(match[1]) : undefined
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
  const keys = new Map<string, RateLimit | undefined>()
  for (const entry of apiKeys ?? []) {
    const { key, rateLimit: own } =
      typeof entry === 'string' ? { key: entry, rateLimit: undefined } : entry
    keys.set(hashKey(key), own ?? rateLimit)
  }
  const limiter = createRateLimiter((id) => (id === '*' ? rateLimit : keys.get(id)))
  const requests = service.metrics.counter(
    'tollgate_facilitator_http_requests_total',
    'HTTP requests by route and status.',
  )
  const durations = service.metrics.histogram(
    'tollgate_facilitator_http_request_duration_seconds',
    'HTTP request duration by route.',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  )

  function authorize(request: Request): Response | undefined {
    let id = '*'
    if (keys.size > 0) {
      const header = request.headers.get('authorization')
      const key =
        request.headers.get('x-api-key') ??
        (header?.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined)
      if (!key)
        return error(
          401,
          'unauthorized',
          'An API key is required.',
          {},
          { 'www-authenticate': 'Bearer' },
        )
      id = hashKey(key)
      if (!keys.has(id))
        return error(401, 'unauthorized', 'Unknown API key.', {}, { 'www-authenticate': 'Bearer' })
    }
    const taken = limiter.take(id)
    if (!taken.allowed)
      return error(
        429,
        'rate_limited',
        'Too many requests.',
        {},
        {
          'retry-after': String(taken.retryAfterSeconds),
        },
      )
    return undefined
  }

  async function verify(request: Request): Promise<Response> {
    const shape = { isValid: false, invalidReason: reasons.invalidPayload }
    const body = await readJsonBody(request, maxBodyBytes)
    if (!body.ok) return error(body.status, body.code, body.message, shape)
    const parsed = verifyRequestSchema.safeParse(body.value)
    if (!parsed.success)
      return error(400, 'invalid_request', 'The body is not a /verify request.', shape)
    const { x402Version, paymentPayload, paymentRequirements } = parsed.data
    if (x402Version !== undefined && x402Version !== paymentPayload.x402Version)
      return json(200, { isValid: false, invalidReason: reasons.invalidX402Version })
    // The schema checks each half; the version check above pairs them.
    return json(
      200,
      await service.verify({ paymentPayload, paymentRequirements } as FacilitatorRequest),
    )
  }

  async function settle(request: Request): Promise<Response> {
    const body = await readJsonBody(request, maxBodyBytes)
    const network =
      (body.ok &&
        (body.value as { paymentRequirements?: { network?: unknown } })?.paymentRequirements
          ?.network) ||
      'unknown'
    const shape = {
      success: false,
      errorReason: reasons.invalidPayload,
      transaction: '',
      network: typeof network === 'string' ? network : 'unknown',
    }
    if (!body.ok) return error(body.status, body.code, body.message, shape)
    const parsed = settleRequestSchema.safeParse(body.value)
    if (!parsed.success)
      return error(400, 'invalid_request', 'The body is not a /settle request.', shape)
    const { x402Version, paymentPayload, paymentRequirements } = parsed.data
    if (x402Version !== undefined && x402Version !== paymentPayload.x402Version)
      return json(200, { ...shape, errorReason: reasons.invalidX402Version })
    const settlement = (body.value as { settlement?: unknown }).settlement
    if (settlement !== undefined && !settlementModes.includes(settlement as SettlementMode))
      return error(
        400,
        'invalid_request',
        '`settlement` must be confirmed, submitted or queued.',
        shape,
      )
    const pair = { paymentPayload, paymentRequirements } as FacilitatorRequest
    return json(
      200,
      await service.settle(
        settlement ? { ...pair, settlement: settlement as SettlementMode } : pair,
      ),
    )
  }

  async function settlements(request: Request, parts: string[]): Promise<Response> {
    const url = new URL(request.url)
    if (parts.length === 0) {
      const paymentId = url.searchParams.get('paymentId')
      if (!paymentId)
        return error(400, 'invalid_request', 'Give a paymentId, or a settlement key in the path.')
      const found = await service.status({ paymentId })
      if (found.length === 0) return error(404, 'not_found', 'No settlement has that payment id.')
      return json(200, { settlements: found.map(toStatusJson) })
    }
    const [chain, asset, payer, nonce] = parts
    const chainId = parseChainSegment(chain)
    if (
      parts.length !== 4 ||
      chainId === undefined ||
      !/^0x[0-9a-fA-F]{40}$/.test(asset ?? '') ||
      !/^0x[0-9a-fA-F]{40}$/.test(payer ?? '') ||
      !/^0x[0-9a-fA-F]{64}$/.test(nonce ?? '')
    )
      return error(400, 'invalid_request', 'Use /settlements/<chainId>/<asset>/<payer>/<nonce>.')
    const found = await service.status({
      key: {
        chainId,
        asset: asset as Address,
        payer: payer as Address,
        nonce: nonce as Hex,
      },
    })
    if (!found[0]) return error(404, 'not_found', 'No settlement has that key.')
    return json(200, toStatusJson(found[0]))
  }

  async function route(
    request: Request,
    path: string,
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
      return allow('verify', 'POST', () => authorize(request) ?? verify(request))
    if (path === '/settle')
      return allow('settle', 'POST', () => authorize(request) ?? settle(request))
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
        return settlements(request, path.split('/').filter(Boolean).slice(1))
      })
    return { name: 'unknown', response: error(404, 'not_found', `No route ${method} ${path}.`) }
  }

  /** The answer to a request that failed inside: the reason code says enough (no internals). */
  function failure(name: string): Response {
    if (name === 'verify')
      return error(503, 'unavailable', 'Verification is unavailable; try again.', {
        isValid: false,
        invalidReason: reasons.unexpectedVerifyError,
      })
    if (name === 'settle')
      return error(503, 'unavailable', 'Settlement is unavailable; try again.', {
        success: false,
        errorReason: reasons.unexpectedSettleError,
        transaction: '',
        network: 'unknown',
      })
    return error(500, 'internal_error', 'Internal error.')
  }

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
        result = await route(request, path.replace(/\/+$/, '') || '/')
      } catch (cause) {
        const name = routeName(path)
        result = { name, response: failure(name) }
        onError(new FacilitatorRequestError({ route: name, status: result.response.status, cause }))
      }
      requests.inc({ route: result.name, status: result.response.status })
      durations.observe({ route: result.name }, (performance.now() - started) / 1000)
      return result.response
    },
  }
}
