import type { HttpPaywall } from '../createHttpPaywall.js'
import type { HttpAnswer, HttpExchange, HttpRequestView } from '../types.js'
import {
  defaultMaxBodyBytes,
  type HeldWebResponse,
  heldServerError,
  holdWebResponse,
  toWebResponse,
} from './holdWebResponse.js'

/** Parameters of {@link handleWebRequest}. */
export type HandleWebRequestParameters<raw> = {
  request: Request
  /** What price functions and hooks get as `request.raw` (the framework's own request or context). */
  raw: raw
  /**
   * The path as the framework's router sees it (Hono's `c.req.path`), so the paywall prices what
   * the router serves. @default the URL's pathname
   */
  path?: string | undefined
  /** The absolute URL of the resource (the challenge's `resource.url`). @default `request.url` */
  url?: string | undefined
  /** The route the framework's router already matched (see `HttpExchange.route`). */
  route?: HttpExchange['route']
  /** Headers the app set before the paywall ran (an upstream middleware's); answers build on them. */
  appHeaders?: (() => Headers | undefined) | undefined
  /** Runs the handler; called at most once, and only for a priced route whose payment verified. */
  next(): Promise<Response> | Response
  /** The largest handler response held until the payment settles, in bytes. @default 10485760 (10 MiB) */
  maxBodyBytes?: number | undefined
}

/**
 * One Web request through the HTTP paywall: `undefined` when it is not the paywall's (a route
 * nothing prices: call the handler as usual), else the `Response` to send. The handler runs
 * through `next` with its response held whole until the payment settles.
 *
 * A handler that throws charges nothing, and its error is thrown again once the paywall has
 * answered, so the framework reports it as usual; only on a settle-first route, where the
 * payment was already taken, does a 500 with the settlement header go out instead.
 */
export async function handleWebRequest<raw>(
  paywall: HttpPaywall<raw>,
  parameters: HandleWebRequestParameters<raw>,
): Promise<Response | undefined> {
  const { request, appHeaders, maxBodyBytes = defaultMaxBodyBytes } = parameters
  const cors = new Headers()
  let held: HeldWebResponse | undefined
  let thrown: { error: unknown } | undefined
  const exchange: HttpExchange<raw> = {
    request: {
      ...webRequestView(request, parameters.raw, parameters.path),
      url: parameters.url ?? request.url,
    },
    response: {
      getHeader: (name) => cors.get(name) ?? appHeaders?.()?.get(name) ?? undefined,
      setHeader: (name, value) => cors.set(name, value),
    },
    async run() {
      try {
        held = await holdWebResponse(parameters.next, { maxBodyBytes, signal: request.signal })
      } catch (error) {
        thrown = { error }
        held = heldServerError()
      }
      return held
    },
    route: parameters.route,
  }
  const answer = await paywall.handle(exchange)
  if (answer.kind === 'release' && thrown && Object.keys(answer.headers).length === 0)
    throw thrown.error
  return answerToResponse(answer, { held, cors, appHeaders })
}

/** The request view of a Web `Request`. */
export function webRequestView<raw>(
  request: Request,
  raw: raw,
  path?: string | undefined,
): HttpRequestView<raw> {
  return {
    method: request.method.toUpperCase(),
    path: path ?? new URL(request.url).pathname,
    url: request.url,
    header: (name) => request.headers.get(name) ?? undefined,
    raw,
  }
}

function answerToResponse(
  answer: HttpAnswer,
  context: {
    held: HeldWebResponse | undefined
    cors: Headers
    appHeaders: (() => Headers | undefined) | undefined
  },
): Response | undefined {
  switch (answer.kind) {
    case 'pass':
      return undefined
    case 'respond': {
      const under = new Headers(context.appHeaders?.())
      for (const [name, value] of context.cors) under.set(name, value)
      return toWebResponse(answer.response, under)
    }
    case 'release':
      // The handler's headers win over the paywall's CORS, the settlement header over both.
      return context.held!.toResponse({ under: context.cors, over: answer.headers })
    case 'drop':
      return new Response(null, { status: 499 })
  }
}
