import type { Facilitator } from '../createFacilitator.js'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import { answerSettle, answerVerify } from './paymentRoutes.js'
import { error, json } from './responses.js'
import { answerSettlements } from './settlementsRoute.js'

/** The parts of a facilitator its HTTP routes call. */
export type FacilitatorService = Pick<
  Facilitator,
  'verify' | 'settle' | 'supported' | 'status' | 'health' | 'metrics'
>

/** What routing needs besides the request: the service, the API-key check, the body limit. */
type Routing = {
  service: FacilitatorService
  authorize: (request: FacilitatorHttpRequest) => FacilitatorHttpAnswer | undefined
  maxBodyBytes: number
}

/** A route's name (the metric label) and its answer. */
export type RoutedAnswer = { name: string; answer: FacilitatorHttpAnswer }

/** Picks the route of a request (`path` without the base path) and answers it. */
export async function routeFacilitatorRequest(
  request: FacilitatorHttpRequest,
  path: string,
  { service, authorize, maxBodyBytes }: Routing,
): Promise<RoutedAnswer> {
  const method = request.method
  const allow = async (
    name: string,
    allowed: string,
    handler: () => Promise<FacilitatorHttpAnswer> | FacilitatorHttpAnswer,
  ): Promise<RoutedAnswer> =>
    method === allowed || (allowed === 'GET' && method === 'HEAD')
      ? { name, answer: await handler() }
      : {
          name,
          answer: error(405, 'method_not_allowed', `Use ${allowed}.`, {}, { allow: allowed }),
        }
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
      const version = request.query('x402Version')
      return json(200, service.supported(version === '1' ? { x402Version: 1 } : {}))
    })
  if (path === '/health')
    return allow('health', 'GET', async () => {
      const health = await service.health()
      return json(health.status === 'ok' ? 200 : 503, health)
    })
  if (path === '/metrics')
    return allow('metrics', 'GET', async () => ({
      status: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: await service.metrics.render(),
    }))
  if (path === '/settlements' || path.startsWith('/settlements/'))
    return allow('settlements', 'GET', () => {
      const denied = authorize(request)
      if (denied) return denied
      return answerSettlements(request, path.split('/').filter(Boolean).slice(1), service.status)
    })
  return { name: 'unknown', answer: error(404, 'not_found', `No route ${method} ${path}.`) }
}
