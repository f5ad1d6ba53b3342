import type { IncomingMessage, ServerResponse } from 'node:http'

/** Any Web-standard app `serveFacilitator` can serve. */
export type WebApp = { fetch(request: Request): Response | Promise<Response> }

/**
 * A request body as a Web stream, read only as fast as the app reads it. What the app leaves
 * unread (it answered first, or cancelled) is drained, never left to stall the socket or cut it:
 * the connection then reaches the next request (a pooled client must not find it stuck or reset).
 */
function bodyOf(req: IncomingMessage, res: ServerResponse): ReadableStream<Uint8Array> {
  let open = true
  const onData = (chunk: Buffer) => {
    controller.enqueue(chunk)
    if ((controller.desiredSize ?? 0) <= 0) req.pause()
  }
  const drain = () => {
    open = false
    req.off('data', onData)
    req.resume()
  }
  let controller!: ReadableStreamDefaultController<Uint8Array>
  res.once('finish', drain)
  return new ReadableStream<Uint8Array>({
    start(started) {
      controller = started
      req.on('data', onData)
      req.once('end', () => open && controller.close())
      req.once('error', (error) => open && controller.error(error))
    },
    pull() {
      if (open) req.resume()
    },
    cancel: drain,
  })
}

function toRequest(
  req: IncomingMessage,
  res: ServerResponse,
  { origin, signal }: { origin: string; signal: AbortSignal },
): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    signal,
    ...(hasBody ? { body: bodyOf(req, res), duplex: 'half' } : {}),
  } as RequestInit)
}

async function send(
  res: ServerResponse,
  response: Response,
  { head, keepAlive }: { head: boolean; keepAlive: boolean },
): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  if (!keepAlive) res.shouldKeepAlive = false
  res.writeHead(response.status, headers)
  if (head || !response.body) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
    res.write(chunk.value)
  res.end()
}

/**
 * Answers a `node:http` request through an app's Web `fetch`: a `Request` in (its `signal`
 * aborts when the client goes away), the `Response` copied out.
 */
export function answerWithFetch(
  app: WebApp,
  req: IncomingMessage,
  res: ServerResponse,
  { origin, keepAlive }: { origin: string; keepAlive: () => boolean },
): Promise<void> {
  const controller = new AbortController()
  res.once('close', () => controller.abort())
  return Promise.resolve()
    .then(() => app.fetch(toRequest(req, res, { origin, signal: controller.signal })))
    .then((response) =>
      send(res, response, { head: req.method === 'HEAD', keepAlive: keepAlive() }),
    )
}
