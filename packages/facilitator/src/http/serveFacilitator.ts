import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FacilitatorListenError, FacilitatorRequestError } from '../errors.js'
import { answerWithFetch } from './answerWithFetch.js'
import { nodeHandlerOf } from './nodeHandler.js'

/** Where {@link serveFacilitator} listens, and where failed requests go. */
export type ServeFacilitatorParameters = {
  /** @default 4020 (0 picks a free port) */
  port?: number | undefined
  /** @default '127.0.0.1' */
  host?: string | undefined
  /**
   * Gets a request the handler failed to answer (it threw, or its body failed mid-stream), as a
   * `FacilitatorRequestError`; the client got a 500 or a cut connection.
   */
  onError?: ((error: unknown) => void) | undefined
}

/** What {@link serveFacilitator} throws. */
export type ServeFacilitatorErrorType = FacilitatorListenError

/** The running server. */
export type ServeFacilitatorReturnType = {
  /** `http://<host>:<port>`, no trailing slash. */
  url: string
  port: number
  server: Server
  /** Stops accepting connections, drops idle keep-alive ones, waits for requests in flight. */
  close(): Promise<void>
}

/**
 * Serves a Web `fetch` handler (a facilitator) with `node:http`. A facilitator from
 * `createFacilitator` is answered straight on `node:http`, without Web `Request`/`Response`
 * objects; any other `{ fetch }` goes through its `fetch`.
 *
 * @example
 * import { serveFacilitator } from '@tollgate/facilitator'
 *
 * const { url, close } = await serveFacilitator(facilitator, {
 *   port: 4020,
 *   host: '0.0.0.0',
 *   onError: (error) => console.error((error as Error).name),
 * })
 */
export async function serveFacilitator(
  app: { fetch(request: Request): Response | Promise<Response> },
  { port = 4020, host = '127.0.0.1', onError = () => {} }: ServeFacilitatorParameters = {},
): Promise<ServeFacilitatorReturnType> {
  let stopping = false
  const keepAlive = () => !stopping
  const handler = nodeHandlerOf(app)
  const server = createServer((req, res) => {
    // A keep-alive connection whose request ends after close() was called would hold the server
    // open until its keep-alive timeout: answer it with `Connection: close` and drop it once idle.
    res.once('finish', () => {
      if (stopping) server.closeIdleConnections()
    })
    if (stopping) res.shouldKeepAlive = false
    const answered = handler
      ? handler(req, res, { keepAlive })
      : answerWithFetch(app, req, res, {
          origin: `http://${req.headers.host ?? `${host}:${port}`}`,
          keepAlive,
        })
    answered.catch((cause: unknown) => {
      const route = (req.url ?? '/').split('?')[0]!.slice(0, 100)
      if (res.headersSent) res.destroy()
      else {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'internal_error', message: 'Internal error.' }))
      }
      onError(new FacilitatorRequestError({ route, status: res.statusCode, cause }))
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    const fail = (cause: unknown) => reject(new FacilitatorListenError({ host, port, cause }))
    server.once('error', fail)
    server.listen(port, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    server,
    close() {
      stopping = true
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeIdleConnections()
      })
      return closing
    },
  }
}
