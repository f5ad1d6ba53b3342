import { concatBytes, toBytes } from './bytes.js'

/** The parts of a WHATWG `Request` this package reads from a `Request` given as input. */
type RequestLike = {
  readonly url: string
  readonly method: string
  readonly headers: Iterable<[string, string]>
  readonly body: ReadableStream<Uint8Array> | null
}

/** A request ready to be sent more than once: the same URL, headers and body each time. */
export type PreparedRequest = {
  readonly url: URL
  readonly method: string
  readonly headers: Headers
  /** The body can be sent again (a retry after a 402 is possible). */
  readonly replayable: boolean
  /** The caller's redirect mode. */
  readonly redirect: 'follow' | 'manual' | 'error'
  /** An init for the wrapped fetch: the caller's options, plus `extraHeaders`. */
  init(extraHeaders?: Readonly<Record<string, string>>): Record<string, unknown>
}

const requestFields = [
  'signal',
  'redirect',
  'credentials',
  'cache',
  'integrity',
  'keepalive',
  'mode',
  'referrer',
  'referrerPolicy',
] as const

/**
 * Reads a fetch call's arguments into a request that can be replayed. Bodies that fetch can send
 * twice (strings, bytes, `Blob`, `FormData`, `URLSearchParams`) are kept as they are; a stream
 * (`ReadableStream`, async iterable, or a `Request`'s body) is read into memory up to
 * `maxBufferedBodyBytes`. A larger stream is sent as it comes and the request is not replayable.
 */
export async function prepareRequest(
  input: unknown,
  init: Record<string, unknown> | undefined,
  { maxBufferedBodyBytes }: { maxBufferedBodyBytes: number },
): Promise<PreparedRequest> {
  const request = isRequestLike(input) ? input : undefined
  const url = new URL(request ? request.url : String(input))
  const method = String(init?.method ?? request?.method ?? 'GET').toUpperCase()
  // As with `new Request(request, init)`: headers in `init` replace the request's.
  const headers = new Headers((init?.headers ?? request?.headers) as HeadersInit | undefined)

  const options: Record<string, unknown> = {}
  if (request) for (const field of requestFields) copy(options, field, request)
  Object.assign(options, init)
  delete options.headers
  delete options.body
  delete options.method

  const source = init && 'body' in init ? init.body : request?.body
  const body = isStream(source)
    ? await bufferBody(source, maxBufferedBodyBytes)
    : { body: source ?? undefined, replayable: true, streaming: false }

  const redirect =
    options.redirect === 'manual' || options.redirect === 'error' ? options.redirect : 'follow'
  return {
    url,
    method,
    headers,
    replayable: body.replayable,
    redirect,
    init(extraHeaders = {}) {
      const all = new Headers(headers)
      for (const [name, value] of Object.entries(extraHeaders)) all.set(name, value)
      const result: Record<string, unknown> = { ...options, method, headers: [...all] }
      if (body.body !== undefined) result.body = body.body
      if (body.streaming) result.duplex = 'half'
      return result
    },
  }
}

function copy(target: Record<string, unknown>, field: string, source: object) {
  const value = (source as Record<string, unknown>)[field]
  if (value !== undefined) target[field] = value
}

function isRequestLike(value: unknown): value is RequestLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof URL) &&
    typeof (value as RequestLike).url === 'string' &&
    typeof (value as RequestLike).method === 'string' &&
    typeof (value as RequestLike).headers === 'object'
  )
}

type StreamBody = ReadableStream<unknown> | AsyncIterable<unknown>

function isStream(value: unknown): value is StreamBody {
  if (typeof value !== 'object' || value === null) return false
  if (typeof (value as ReadableStream).getReader === 'function') return true
  return Symbol.asyncIterator in value
}

async function bufferBody(
  source: StreamBody,
  limit: number,
): Promise<{
  body: Uint8Array | ReadableStream<Uint8Array>
  replayable: boolean
  streaming: boolean
}> {
  let next: () => Promise<IteratorResult<unknown>>
  let cancel: (reason: unknown) => Promise<unknown>
  if (typeof (source as ReadableStream).getReader === 'function') {
    const reader = (source as ReadableStream<unknown>).getReader()
    next = () => reader.read() as Promise<IteratorResult<unknown>>
    cancel = (reason) => reader.cancel(reason)
  } else {
    const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    next = () => iterator.next()
    cancel = async () => iterator.return?.()
  }

  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await next()
    if (done) break
    const bytes = toBytes(value)
    chunks.push(bytes)
    size += bytes.byteLength
    if (size > limit) {
      // Too large to keep: send what was read, then the rest, as one stream.
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const chunk = chunks.shift()
          if (chunk) return controller.enqueue(chunk)
          const { done, value } = await next()
          if (done) controller.close()
          else controller.enqueue(toBytes(value))
        },
        async cancel(reason) {
          await cancel(reason)
        },
      })
      return { body: stream, replayable: false, streaming: true }
    }
  }
  return { body: concatBytes(chunks), replayable: true, streaming: false }
}
