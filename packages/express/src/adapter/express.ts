import type { IncomingMessage, ServerResponse } from 'node:http'
import type {
  HttpAnswer,
  HttpExchange,
  HttpPaywall,
  HttpRequestView,
  PaywallResponse,
} from '@tollgate/paywall/http'
import { type HeldResponse, holdResponse } from './holdResponse.js'

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

function toRequestView<request extends ExpressLikeRequest>(req: request): HttpRequestView<request> {
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: requestPath(req),
    url: requestUrl(req),
    header: (name) => headerValue(req.headers[name.toLowerCase()]),
    raw: req,
  }
}

/** Writes a response the paywall built, unless something already went out. */
function send(res: ServerResponse, { status, headers, body }: PaywallResponse): void {
  if (res.headersSent || res.writableEnded) return
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.end(body)
}

/** Carries out what the paywall decided, on `res` (and the handler's held response, if any). */
function carryOut(
  answer: HttpAnswer,
  res: ServerResponse,
  next: NextFunction,
  held: HeldResponse | undefined,
): void {
  if (answer.kind === 'pass') next()
  else if (answer.kind === 'release') held?.release(answer.headers)
  else {
    held?.discard()
    if (answer.kind === 'respond') send(res, answer.response)
  }
}

/**
 * The Express side of the paywall: the request view, `res` held while the handler runs, and the
 * answer written out. Everything else (routes, payments, CORS, statuses) is the HTTP layer's.
 */
export function toExpressMiddleware<request extends ExpressLikeRequest>(
  paywall: HttpPaywall<request>,
): PaywallMiddleware<request> {
  function middleware(req: request, res: ServerResponse, next: NextFunction): void {
    let held: HeldResponse | undefined
    const exchange: HttpExchange<request> = {
      request: toRequestView(req),
      response: {
        getHeader: (name) => headerValue(res.getHeader(name)),
        setHeader: (name, value) => res.setHeader(name, value),
        removeHeader: (name) => res.removeHeader(name),
      },
      async run() {
        const pending = holdResponse(res)
        next()
        held = await pending
        return held
      },
    }
    paywall.handle(exchange).then(
      (answer) => carryOut(answer, res, next, held),
      // Only a bug in the paywall gets here; Express's error handler answers, on a `res` that
      // is no longer held.
      (error: unknown) => {
        held?.discard()
        next(error)
      },
    )
  }
  return Object.assign(middleware, { ready: () => paywall.ready() })
}
