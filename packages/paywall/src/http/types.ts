/**
 * What the paywall flow knows about a request: enough to price it, match its payment and build
 * its resource URL. Adapters build it from their framework's request; `raw` is that request, for
 * price functions that read a body or a query.
 */
export type PaywallRequest<raw = unknown> = {
  /** Upper-case method. */
  method: string
  /** The path the route table is matched against (no query). */
  path: string
  /** The absolute URL of the resource, query included: the `resource.url` of the challenge. */
  url: string
  /** A header by name (case-insensitive); several values are joined with `", "`. */
  header(name: string): string | undefined
  /** The `:params` and `*` wildcards (`'0'`, `'1'`, ...) of the matched route. */
  params: Readonly<Record<string, string>>
  raw: raw
}

/** Header values as Node's `OutgoingMessage#getHeaders()` returns them. */
export type ResponseHeaders = Record<string, string | number | readonly string[]>

/** A response the flow writes itself (challenges, errors, replays). */
export type PaywallResponse = {
  status: number
  headers: ResponseHeaders
  body: string | Uint8Array
}

/** The handler's response, held back until the flow decides what to do with it. */
export type HeldResponse = {
  /** `true` when the client went away before the handler finished. */
  aborted: boolean
  /** The status the handler chose. */
  status: number
  /** Sends the held response as the handler wrote it, plus `headers`. */
  release(headers?: ResponseHeaders | undefined): void
  /** Drops the handler's status, headers and body; a `send` follows. Later handler writes are swallowed. */
  discard(): void
  /** The response as it went out (after `release`), for idempotent replays. */
  snapshot(): PaywallResponse
}

/** The response side an adapter gives the flow. */
export type PaywallResponder = {
  /** Writes a complete response the flow built. */
  send(response: PaywallResponse): void
  /** Runs the rest of the app (the handler) with its response held back. */
  runHandler(): Promise<HeldResponse>
  /** Sets a header on whatever response goes out (CORS exposure). */
  setHeader(name: string, value: string): void
  /** A header already set on the response (by the app or by the paywall), joined with `", "`. */
  getHeader(name: string): string | undefined
}
