/** One HTTP request of a facilitator call, as a sender gets it. */
export type SendRequest = {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  /** The JSON text of a POST. */
  body?: string | undefined
  signal: AbortSignal
}

/** The answer's status as soon as it arrives, its body on demand. */
export type SendAnswer = { status: number; text(): Promise<string> }

/**
 * Sends one request. It rejects, before any status, when the request could not be sent or its
 * connection ended first; `exchange` decides from that error whether to send it once more.
 */
export type Send = (endpoint: string, request: SendRequest) => Promise<SendAnswer>

/** A sender over a `fetch` (the user's, or the runtime's where `node:http` is not there). */
export function fetchSender(fetch: typeof globalThis.fetch): Send {
  return async (endpoint, { method, headers, body, signal }) => {
    const response = await fetch(endpoint, {
      method,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
    })
    return { status: response.status, text: () => response.text() }
  }
}
