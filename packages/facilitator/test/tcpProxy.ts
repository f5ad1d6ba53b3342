// A loopback TCP proxy in front of an RPC node, to cut it off: `stop()` refuses connections (and
// drops open ones), `start()` listens again on the same port, `blackhole(true)` forwards requests
// but swallows every answer, and `dropAnswersTo('eth_sendRawTransaction')` forwards a request
// that names the method and then cuts the connection: the node acts on a transaction the client
// never hears back about.
import { createServer, type Server, Socket } from 'node:net'

export type TcpProxy = {
  url: string
  port: number
  start(): Promise<void>
  stop(): Promise<void>
  blackhole(on: boolean): void
  dropAnswersTo(method: string | undefined): void
  close(): Promise<void>
}

export async function createTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port: targetPort } = new URL(target)
  const sockets = new Set<Socket>()
  const swallowed = new WeakSet<Socket>()
  let swallow = false
  let dropMethod: string | undefined
  let server: Server | undefined
  let port = 0

  function onConnection(client: Socket) {
    const upstream = new Socket()
    sockets.add(client)
    sockets.add(upstream)
    upstream.connect(Number(targetPort), hostname)
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk)
      if (dropMethod && chunk.includes(dropMethod)) {
        // Let the node read it, then hang up before its answer can come back.
        swallowed.add(client)
        setTimeout(() => client.destroy(), 50)
      }
    })
    upstream.on('data', (chunk) => {
      if (!swallow && !swallowed.has(client)) client.write(chunk)
    })
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  }

  async function start() {
    server = createServer(onConnection)
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject)
      server!.listen(port, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    port = typeof address === 'object' && address ? address.port : port
  }

  async function stop() {
    const current = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    sockets.clear()
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()))
  }

  await start()
  return {
    get url() {
      return `http://127.0.0.1:${port}`
    },
    get port() {
      return port
    },
    start,
    stop,
    blackhole(on) {
      swallow = on
    },
    dropAnswersTo(method) {
      dropMethod = method
    },
    close: stop,
  }
}
