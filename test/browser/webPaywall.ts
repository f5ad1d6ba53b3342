import type {
  HttpAnswer,
  HttpExchange,
  HttpPaywall,
  PaywallResponse,
  ResponseHeaders,
} from '@tollgate/paywall/http'

// A Web-standard `(request: Request) => Promise<Response>` paywall over the shared HTTP layer, as
// small as an adapter can be: the request view, the handler's Response held (read whole) while the
// paywall decides, the answer written as a Response. The browser tests serve the paywall page
// through it besides Express; once the Web adapter lands (issue #13, adapters half), it replaces
// this file.

/** A Web handler: a Request in, a Response out. */
export type WebHandler = (request: Request) => Promise<Response>

function toHeaders(...sources: ResponseHeaders[]): Headers {
  const headers = new Headers()
  for (const source of sources)
    for (const [name, value] of Object.entries(source)) {
      headers.delete(name)
      if (Array.isArray(value)) for (const item of value) headers.append(name, String(item))
      else headers.set(name, String(value))
    }
  return headers
}

function toResponse({ status, headers, body }: PaywallResponse, extra: ResponseHeaders): Response {
  const content = status === 204 ? null : typeof body === 'string' ? body : new Uint8Array(body)
  return new Response(content, { status, headers: toHeaders(headers, extra) })
}

/** `handler` behind `paywall`: priced requests are challenged or paid for, others pass through. */
export function withPaywall(paywall: HttpPaywall<Request>, handler: WebHandler): WebHandler {
  return async (request) => {
    const url = new URL(request.url)
    const outgoing: Record<string, string> = {}
    let held: PaywallResponse | undefined
    const exchange: HttpExchange<Request> = {
      request: {
        method: request.method.toUpperCase(),
        path: url.pathname,
        url: request.url,
        header: (name) => request.headers.get(name) ?? undefined,
        raw: request,
      },
      response: {
        getHeader: (name) =>
          Object.entries(outgoing).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
        setHeader: (name, value) => {
          outgoing[name] = value
        },
      },
      async run() {
        const response = await handler(request)
        const body = new Uint8Array(await response.arrayBuffer())
        const snapshot = {
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body,
        }
        held = snapshot
        return { aborted: false, status: response.status, snapshot: () => snapshot }
      },
    }
    const answer: HttpAnswer = await paywall.handle(exchange)
    if (answer.kind === 'pass') return handler(request)
    if (answer.kind === 'respond') return toResponse(answer.response, outgoing)
    if (answer.kind === 'release' && held)
      return toResponse(held, { ...outgoing, ...answer.headers })
    return new Response(null, { status: 499 })
  }
}
