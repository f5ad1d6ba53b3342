import type { Agent, IncomingMessage } from 'node:http'
import type { Send } from './send.js'

// `node:https` has the same `request` and `Agent` shapes (TLS options aside).
type HttpModule = Pick<typeof import('node:http'), 'request' | 'Agent'>

/** `node:http` and `node:https` when this runtime is Node (20.16+), without importing them. */
function nodeModules(): { http: HttpModule; https: HttpModule } | undefined {
  const runtime = globalThis.process as
    | (NodeJS.Process & { getBuiltinModule?: (id: string) => unknown })
    | undefined
  if (typeof runtime?.getBuiltinModule !== 'function' || runtime.release?.name !== 'node')
    return undefined
  // A proxy the runtime's fetch is told to use (Node's NODE_USE_ENV_PROXY) is honoured by keeping fetch.
  const env = runtime.env ?? {}
  if (
    env.NODE_USE_ENV_PROXY ||
    env.HTTPS_PROXY ||
    env.HTTP_PROXY ||
    env.https_proxy ||
    env.http_proxy
  )
    return undefined
  const http = runtime.getBuiltinModule('node:http') as HttpModule | undefined
  const https = runtime.getBuiltinModule('node:https') as unknown as HttpModule | undefined
  return http && https ? { http, https } : undefined
}

/**
 * A sender over `node:http(s)` with one pool of keep-alive connections per client, or `undefined`
 * outside Node. A facilitator call through it costs a quarter of the CPU of one through Node's
 * `fetch` (no WHATWG Request, Response and body streams). A redirect is left to `fetch`, which
 * follows it as it always has.
 */
export function nodeSender(fallback: Send): Send | undefined {
  const modules = nodeModules()
  if (!modules) return undefined
  const agents = new Map<string, Agent>()
  const agentFor = (protocol: string) => {
    let agent = agents.get(protocol)
    if (!agent) {
      const module = protocol === 'https:' ? modules.https : modules.http
      agent = new module.Agent({ keepAlive: true, scheduling: 'lifo' })
      agents.set(protocol, agent)
    }
    return agent
  }
  return (endpoint, request) => {
    const { protocol, username, password } = new URL(endpoint)
    // Credentials in the URL: fetch refuses such a URL, and so the call fails the same way here.
    if ((protocol !== 'http:' && protocol !== 'https:') || username || password)
      return fallback(endpoint, request)
    const module = protocol === 'https:' ? modules.https : modules.http
    const headers: Record<string, string> = { ...request.headers }
    if (request.body !== undefined)
      headers['content-length'] = String(Buffer.byteLength(request.body))
    const { signal } = request
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const sent = module.request(
        endpoint,
        { method: request.method, headers, agent: agentFor(protocol) },
        (response) => {
          const status = response.statusCode ?? 0
          if (status >= 300 && status < 400 && response.headers.location) {
            stopListening()
            response.resume()
            resolve(fallback(endpoint, request))
          } else resolve({ status, text: () => readBody(response).finally(stopListening) })
        },
      )
      // The signal ends the request and its answer's body as `signal` on the request would, for
      // a third of the cost: one listener, taken off once the answer is read (Node's own option
      // also tracks the stream's end with listeners of its own, on every call).
      const abort = () => sent.destroy(signal.reason)
      const stopListening = () => signal.removeEventListener('abort', abort)
      signal.addEventListener('abort', abort, { once: true })
      sent.once('error', (error) => {
        stopListening()
        reject(error)
      })
      sent.end(request.body)
    })
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    // A connection cut mid-body, or the call's timeout, ends the answer with an error.
    response.once('error', reject)
  })
}
