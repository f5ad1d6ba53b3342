/**
 * What the facilitator's routes see of a request, whatever server carries it: the Web adapter
 * (`createFacilitatorApp`'s `fetch`) and the Node adapter (`createNodeHandler`) each build one.
 */
export type FacilitatorHttpRequest = {
  /** Upper case, as on the wire. */
  method: string
  /** The URL's path, without the query. */
  path: string
  /** A query parameter, or `null`. */
  query(name: string): string | null
  /** A header by its lower-case name, or `null`. */
  header(name: string): string | null
  /**
   * The body's bytes; `tooLarge` as soon as it passes `maxBytes` (the rest is not kept); `none` when
   * the request has no body at all. Rejects when the body fails mid-stream (the client went away).
   */
  readBody(maxBytes: number): Promise<FacilitatorHttpBody>
}

/** A request body as {@link FacilitatorHttpRequest.readBody} reads it. */
export type FacilitatorHttpBody =
  | { kind: 'read'; bytes: Uint8Array }
  | { kind: 'tooLarge' }
  | { kind: 'none' }

/** What the routes answer: one status, its headers (lower-case names) and the whole body. */
export type FacilitatorHttpAnswer = {
  status: number
  headers: Record<string, string>
  body: string
}
