import type {
  FacilitatorHttpAnswer,
  FacilitatorHttpBody,
  FacilitatorHttpRequest,
} from './facilitatorExchange.js'

/** Reads a Web body stream, stopping (and cancelling it) as soon as it passes `maxBytes`. */
async function readWebBody(request: Request, maxBytes: number): Promise<FacilitatorHttpBody> {
  if (!request.body) return { kind: 'none' }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return { kind: 'tooLarge' }
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { kind: 'read', bytes }
}

/** The routes' view of a Web `Request`. */
export function fromWebRequest(request: Request): FacilitatorHttpRequest {
  const url = new URL(request.url)
  return {
    method: request.method,
    path: url.pathname,
    query: (name) => url.searchParams.get(name),
    header: (name) => request.headers.get(name),
    readBody: (maxBytes) => readWebBody(request, maxBytes),
  }
}

/** A Web `Response` of an answer. */
export function toWebResponse({ status, headers, body }: FacilitatorHttpAnswer): Response {
  return new Response(body, { status, headers })
}
