// The HTTP layer's view of a framework: a small request view, the headers of whatever response
// goes out, and the handler run with its response held back. A framework adapter builds these
// from its own objects and carries out the `HttpAnswer` it gets back; nothing else of the
// framework reaches the paywall.

/** What the paywall reads of an HTTP request; an adapter builds it from its framework's request. */
export type HttpRequestView<raw = unknown> = {
  /** Upper-case method. */
  method: string
  /** The path the route table is matched against (no query). */
  path: string
  /** The absolute URL of the resource, query included: the `resource.url` of the challenge. */
  url: string
  /** A header by name (case-insensitive); several values are joined with `", "`. */
  header(name: string): string | undefined
  /** The framework's own request, for price functions that read a body or a query. */
  raw: raw
}

/**
 * What the paywall knows about a request to a priced route: enough to price it, match its payment
 * and build its resource URL. `raw` is the framework's request.
 */
export type PaywallRequest<raw = unknown> = HttpRequestView<raw> & {
  /** The `:params` and `*` wildcards (`'0'`, `'1'`, ...) of the matched route. */
  params: Readonly<Record<string, string>>
}

/** Header values as Node's `OutgoingMessage#getHeaders()` returns them. */
export type ResponseHeaders = Record<string, string | number | readonly string[]>

/** A complete response the paywall describes (challenges, errors, replays, kept results). */
export type PaywallResponse = {
  status: number
  headers: ResponseHeaders
  body: string | Uint8Array
}

/** The handler's response, held back by the adapter until the paywall decides what goes out. */
export type HttpHeld = {
  /** `true` when the client went away before the handler finished. */
  aborted: boolean
  /** The status the handler chose. */
  status: number
  /** The response as the handler wrote it (status, headers, body), to keep or replay. */
  snapshot(): PaywallResponse
}

/** The headers of whatever response goes out (the paywall adds its CORS headers there). */
export type HttpResponseHeaders = {
  /** A header already set (by the app, or by the paywall), joined with `", "`. */
  getHeader(name: string): string | undefined
  setHeader(name: string, value: string): void
  /** Removes a header the handler set (the `Settlement-Overrides` an `upto` handler reports usage in). */
  removeHeader?(name: string): void
}

/** One request as an adapter hands it to the HTTP layer. */
export type HttpExchange<raw = unknown> = {
  request: HttpRequestView<raw>
  response: HttpResponseHeaders
  /** Runs the rest of the app (the handler) with its response held back. */
  run(): Promise<HttpHeld>
  /**
   * The route the framework's own router matched, when the adapter attaches the paywall to one
   * route (a Next.js route handler, a Fastify route's `config`): its key in `routes`, and the
   * router's params. The table is then not searched, so the path cannot be read two ways.
   */
  route?: { key: string; params: Readonly<Record<string, string>> } | undefined
}

/** What the adapter does with a request, as the HTTP layer decided it. */
export type HttpAnswer =
  /** Not the paywall's: let the app handle it (a route nothing prices, an unmatched preflight). */
  | { kind: 'pass' }
  /** Send this response; a held handler response, if any, is dropped first. */
  | { kind: 'respond'; response: PaywallResponse }
  /** Let the held handler response out as it was written, plus these headers. */
  | { kind: 'release'; headers: ResponseHeaders }
  /** The client went away: drop the held response, send nothing. */
  | { kind: 'drop' }
