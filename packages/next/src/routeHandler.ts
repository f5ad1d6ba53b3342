import { type HttpPaywall, handleWebRequest } from '@tollgate/paywall/http'

/** An App Router route handler: `GET(request, { params })`. */
export type RouteHandler<request extends Request, context> = (
  request: request,
  context: context,
) => Response | Promise<Response>

/** Next's route params: a Promise from Next 15 on, a plain object before; catch-alls are lists. */
type RouteParams = Record<string, string | readonly string[] | undefined>

/** The route's params as the paywall's request view has them (a catch-all joined with `/`). */
async function readParams(context: unknown): Promise<Record<string, string>> {
  const given = (context as { params?: RouteParams | Promise<RouteParams> } | undefined)?.params
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries((await given) ?? {}))
    if (value !== undefined) params[name] = typeof value === 'string' ? value : value.join('/')
  return params
}

/**
 * The URL the client asked for: Next rewrites a loopback host in `request.url` to `localhost`, so
 * the challenge's resource would name another origin than the one a payer requested; the `Host`
 * header is what the client sent (as Express's `req.headers.host`).
 */
function publicUrl(request: Request): string {
  const host = request.headers.get('host')
  if (!host) return request.url
  const url = new URL(request.url)
  return `${url.protocol}//${host}${url.pathname}${url.search}`
}

/**
 * The route handler behind the paywall: Next's request and context reach the handler untouched
 * (its `params` too); price functions and hooks get a copy of the request when it has a body.
 */
export function toRouteHandler<request extends Request, context>(
  handler: RouteHandler<request, context>,
  {
    paywall,
    key,
    maxBodyBytes,
  }: {
    paywall: HttpPaywall<Request>
    key: string
    maxBodyBytes: number | undefined
  },
): (request: request, context: context) => Promise<Response> {
  return async function paidRoute(request, context) {
    const response = await handleWebRequest(paywall, {
      request,
      raw: request.body === null ? request : request.clone(),
      url: publicUrl(request),
      route: { key, params: await readParams(context) },
      next: () => handler(request, context),
      maxBodyBytes,
    })
    // Only a CORS preflight the paywall does not answer passes.
    return response ?? handler(request, context)
  }
}
