import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Timings } from './timings.js'

/**
 * Serves `handler` on 127.0.0.1 at a free port; `close` also drops idle keep-alive connections.
 * With `timings`, each request is timed by method and path until its response is sent.
 */
export async function listen(
  handler: RequestListener,
  timings?: Timings | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(
    timings
      ? (req, res) => {
          const start = performance.now()
          const name = `serve ${req.method} ${(req.url ?? '/').split('?')[0]} ${req.headers['payment-signature'] ? '(paid)' : ''}`
          res.once('finish', () => timings.add(name.trimEnd(), performance.now() - start))
          handler(req, res)
        }
      : handler,
  )
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
