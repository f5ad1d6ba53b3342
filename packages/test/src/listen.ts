import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'

/** A Web handler, as Hono apps and our facilitator app expose: `{ fetch(request) }`. */
export type FetchHandler = { fetch(request: Request): Response | Promise<Response> }

/** A Node listener (an Express app is one), or a `{ fetch }` Web handler. */
export type ListenHandler = RequestListener | FetchHandler

export type ListenReturnType = {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  port: number
  /** Closes the server and drops open (keep-alive) connections. */
  close(): Promise<void>
}

/** Serves `handler` on 127.0.0.1 on a free port. */
export async function listen(handler: ListenHandler): Promise<ListenReturnType> {
  const server = createServer(typeof handler === 'function' ? handler : toNodeListener(handler))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      return closed
    },
  }
}

function toNodeListener(handler: FetchHandler): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController()
    res.once('close', () => controller.abort())
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item)
      else if (value !== undefined) headers.set(name, value)
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: controller.signal,
      ...(hasBody
        ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }
        : {}),
    } as RequestInit)
    Promise.resolve()
      .then(() => handler.fetch(request))
      .then(async (response) => {
        const responseHeaders: Record<string, string | string[]> = {}
        response.headers.forEach((value, name) => {
          if (name === 'set-cookie') return
          responseHeaders[name] = value
        })
        const cookies = response.headers.getSetCookie()
        if (cookies.length > 0) responseHeaders['set-cookie'] = cookies
        res.writeHead(response.status, response.statusText, responseHeaders)
        if (!response.body) return void res.end()
        const reader = response.body.getReader()
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
          res.write(chunk.value)
        res.end()
      })
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy(error as Error)
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(error instanceof Error ? error.message : 'Internal Server Error')
      })
  }
}
