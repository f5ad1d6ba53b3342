import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FacilitatorHandler } from './createFacilitatorHandler.js'
import type { FacilitatorHttpAnswer, FacilitatorHttpRequest } from './facilitatorExchange.js'
import { readNodeBody } from './readNodeBody.js'

/**
 * Answers a `node:http` request straight from `IncomingMessage` to `ServerResponse`.
 * `keepAlive()` is asked when the answer is written: `false` sends `Connection: close`.
 */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  options: { keepAlive: () => boolean },
) => Promise<void>

// Module-local, not `Symbol.for`: only the copy of this package that made a handler runs it.
const nodeHandlerKey = Symbol('tollgate.facilitator.nodeHandler')

/** Gives an app a Node handler, out of sight (a non-enumerable symbol property). */
export function withNodeHandler<app extends object>(app: app, handler: NodeHandler): app {
  return Object.defineProperty(app, nodeHandlerKey, { value: handler, enumerable: false })
}

/** Gives `to` the Node handler `from` carries (a facilitator takes its app's). */
export function shareNodeHandler<app extends object>(from: object, to: app): app {
  const handler = nodeHandlerOf(from)
  return handler ? withNodeHandler(to, handler) : to
}

/** The Node handler an app carries, if it has one. */
export function nodeHandlerOf(app: object): NodeHandler | undefined {
  return (app as { [nodeHandlerKey]?: NodeHandler })[nodeHandlerKey]
}

// Paths `new URL()` leaves as they are (no dot segments, no percent-encoding, no `//`): no parse needed.
const plainPath = /^(?:\/[\w~:-]+)*\/?$/

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name]
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}

/** The routes' view of a `node:http` request, read the way `new Request()` would read it. */
function fromNodeRequest(req: IncomingMessage): FacilitatorHttpRequest {
  const target = req.url ?? '/'
  const url = plainPath.test(target) ? undefined : new URL(target, 'http://localhost')
  return {
    method: req.method ?? 'GET',
    path: url ? url.pathname : target,
    query: (name) => (url ? url.searchParams.get(name) : null),
    header: (name) => headerOf(req, name),
    readBody: (maxBytes) => readNodeBody(req, maxBytes),
  }
}

function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  { status, headers, body }: FacilitatorHttpAnswer,
  keepAlive: boolean,
): void {
  if (!keepAlive) res.shouldKeepAlive = false
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** The Node adapter of a facilitator handler: one `writeHead` and one `end` per request. */
export function createNodeHandler(handle: FacilitatorHandler): NodeHandler {
  return async (req, res, { keepAlive }) => {
    const answer = await handle(fromNodeRequest(req))
    writeAnswer(req, res, answer, keepAlive())
  }
}
