import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PaywallFlow } from '../flow/paywallFlow.js'
import type { PaywallRequest, PaywallResponder, PaywallResponse } from '../flow/request.js'
import { holdResponse } from './holdResponse.js'

/** The parts of an Express request the adapter reads; plain Node requests work too. */
export type ExpressLikeRequest = IncomingMessage & {
  originalUrl?: string | undefined
  path?: string | undefined
  protocol?: string | undefined
}

/** Express's `next`. */
export type NextFunction = (error?: unknown) => void

/** An Express (or Connect) middleware, with the paywall's start-up check. */
export type PaywallMiddleware<request extends IncomingMessage = IncomingMessage> = ((
  req: request,
  res: ServerResponse,
  next: NextFunction,
) => void) & {
  /**
   * Resolves once every route's `settlement` mode is known to hold with the facilitator (read
   * from its `/supported`); rejects with `UnsupportedSettlementModeError` for a route it cannot
   * honour, or with the error of `/supported`. Without it, each route is checked at its first
   * payment.
   */
  ready(): Promise<void>
}

function headerValue(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/** The path the route table sees: Express's `req.path` (relative to the mount point), else the URL's. */
function requestPath(req: ExpressLikeRequest): string {
  if (typeof req.path === 'string') return req.path
  const url = req.url ?? '/'
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** The absolute URL of the request (Express's `protocol` honours `trust proxy`). */
function requestUrl(req: ExpressLikeRequest): string {
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const protocol = req.protocol ?? (encrypted ? 'https' : 'http')
  const host = req.headers.host ?? 'localhost'
  return `${protocol}://${host}${req.originalUrl ?? req.url ?? '/'}`
}

function toPaywallRequest<request extends ExpressLikeRequest>(
  req: request,
  path: string,
  params: Record<string, string>,
): PaywallRequest<request> {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    url: requestUrl(req),
    header: (name) => headerValue(req.headers[name.toLowerCase()]),
    params,
    raw: req,
  }
}

/** Writes a response the flow built, unless something already went out. */
function send(res: ServerResponse, { status, headers, body }: PaywallResponse): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.end(body)
}

function createResponder(res: ServerResponse, next: NextFunction): PaywallResponder {
  return {
    send: (response) => send(res, response),
    setHeader: (name, value) => res.setHeader(name, value),
    getHeader: (name) => headerValue(res.getHeader(name)),
    runHandler() {
      const held = holdResponse(res)
      next()
      return held
    },
  }
}

/**
 * The Express side of the paywall: a request no route prices goes straight to `next()`; a CORS
 * preflight for a priced route and the agent's registration file are answered here; anything else
 * goes through the flow.
 */
export function toExpressMiddleware<request extends ExpressLikeRequest>(
  flow: PaywallFlow<request>,
): PaywallMiddleware<request> {
  function paywall(req: request, res: ServerResponse, next: NextFunction): void {
    const method = (req.method ?? 'GET').toUpperCase()
    const path = requestPath(req)
    if (method === 'OPTIONS') {
      const preflight = flow.preflight({
        path,
        origin: headerValue(req.headers.origin),
        requestMethod: headerValue(req.headers['access-control-request-method']),
        requestHeaders: headerValue(req.headers['access-control-request-headers']),
      })
      if (preflight) send(res, preflight)
      else next()
      return
    }
    const wellKnown = flow.wellKnown(method, path)
    if (wellKnown) {
      wellKnown.then(
        (response) => send(res, response),
        (error: unknown) => next(error),
      )
      return
    }
    const match = flow.match(method, path)
    if (!match) {
      next()
      return
    }
    flow.handle(toPaywallRequest(req, path, match.params), createResponder(res, next), match).catch(
      // Only a bug in the flow gets here; Express's error handler answers.
      (error: unknown) => next(error),
    )
  }
  return Object.assign(paywall, { ready: () => flow.ready() })
}
