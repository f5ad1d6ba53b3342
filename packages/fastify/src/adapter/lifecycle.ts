import type {
  HttpAnswer,
  HttpExchange,
  HttpHeld,
  HttpPaywall,
  HttpRequestView,
  PaywallResponse,
  ResponseHeaders,
} from '@tollgate/paywall/http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { guardRaw, type RawGuard } from './guardRaw.js'
import { type HeldReply, holdPayload, replyHeaders } from './holdPayload.js'
import { notHoldable } from './refusal.js'

/** A paid reply between `preHandler` (the handler may run) and `onSend` (what it answered). */
type Hold = {
  resolve(held: HttpHeld): void
  answer: Promise<HttpAnswer>
  headersBefore: ResponseHeaders
  guard: RawGuard
  /** `onSend` (or the raw bypass) took over: nothing else may answer for this reply. */
  done: boolean
}

/** What the hooks need from the plugin. */
export type LifecycleOptions = {
  /** The paywall in force (rebuilt once the routes with a `config.paywall` are known). */
  paywall(): HttpPaywall<FastifyRequest>
  /** The route the router chose, when it is priced by its own `config.paywall`. */
  route(request: FastifyRequest): HttpExchange['route']
  maxBodyBytes: number
}

/**
 * The paywall as two Fastify hooks. `preHandler` (the body is parsed, so price functions can read
 * it) decides: a 402 or refusal is sent there; a verified payment lets the handler run. `onSend`
 * then holds whatever the handler answered (a string, a buffer, a stream, a Web `Response`) until
 * the payment settles, and replaces it with the paywall's answer.
 */
export function createLifecycle(options: LifecycleOptions) {
  const holds = new WeakMap<FastifyRequest, Hold>()

  async function preHandler(request: FastifyRequest, reply: FastifyReply) {
    let resolve!: (held: HttpHeld) => void
    const held = new Promise<HttpHeld>((done) => (resolve = done))
    let headersBefore: ResponseHeaders = {}
    let started!: () => void
    const running = new Promise<'run'>((done) => (started = () => done('run')))
    const exchange: HttpExchange<FastifyRequest> = {
      request: toRequestView(request),
      response: {
        getHeader: (name) => headerValue(reply.getHeader(name)),
        setHeader: (name, value) => void reply.header(name, value),
      },
      run() {
        headersBefore = replyHeaders(reply)
        started()
        return held
      },
      route: options.route(request),
    }
    const answer = options.paywall().handle(exchange)
    const first = await Promise.race([running, answer])
    if (first === 'run') {
      holds.set(request, hold(reply, { resolve, answer, headersBefore }))
      return
    }
    if (first.kind === 'respond') return sendResponse(reply, first.response, undefined)
  }

  async function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const current = holds.get(request)
    if (!current || current.done) return payload
    current.done = true
    current.guard.restore()
    const held = await holdPayload(reply, payload, { maxBodyBytes: options.maxBodyBytes })
    current.resolve(held)
    const answer = await current.answer
    return carryOut(reply, answer, held, current.headersBefore)
  }

  return { preHandler, onSend }
}

/** Starts holding a reply whose handler runs now: raw writes guarded, the client watched. */
function hold(
  reply: FastifyReply,
  parts: Pick<Hold, 'resolve' | 'answer' | 'headersBefore'>,
): Hold {
  const current: Hold = { ...parts, guard: { restore() {} }, done: false }
  current.guard = guardRaw(reply.raw, () => {
    if (current.done) return
    current.done = true
    void bypassed(reply, current)
  })
  reply.raw.once('close', () => {
    if (!current.done) current.resolve({ aborted: true, status: 499, snapshot: emptySnapshot })
  })
  return current
}

/** The handler wrote around Fastify: hold a refusal in its place and write the answer raw. */
async function bypassed(reply: FastifyReply, current: Hold): Promise<void> {
  const refusal = notHoldable(
    'the handler wrote to reply.raw (or hijacked the reply) instead of sending through Fastify',
  )
  current.resolve({ aborted: false, status: 500, snapshot: () => refusal })
  const answer = await current.answer.catch(() => undefined)
  current.guard.restore()
  const response =
    answer?.kind === 'respond'
      ? answer.response
      : { ...refusal, headers: { ...refusal.headers, ...releaseHeaders(answer) } }
  if (reply.raw.headersSent || reply.raw.writableEnded) return
  reply.raw.writeHead(response.status, response.headers as Record<string, string>)
  reply.raw.end(response.body)
}

function releaseHeaders(answer: HttpAnswer | undefined): ResponseHeaders {
  return answer?.kind === 'release' ? answer.headers : {}
}

function emptySnapshot(): PaywallResponse {
  return { status: 499, headers: {}, body: new Uint8Array(0) }
}

/** What the paywall decided, as the payload `onSend` returns (and the reply's status and headers). */
function carryOut(
  reply: FastifyReply,
  answer: HttpAnswer,
  held: HeldReply,
  headersBefore: ResponseHeaders,
): unknown {
  switch (answer.kind) {
    case 'release': {
      const { status, headers, body } = held.response
      resetHeaders(reply, headers)
      for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value)
      reply.removeHeader('content-length')
      reply.code(status)
      return Buffer.from(body)
    }
    case 'respond':
      return sendResponse(reply, answer.response, headersBefore)
    default:
      // Passed (cannot happen after the handler ran) or dropped: the client is gone.
      return null
  }
}

/**
 * Puts a response the paywall built on the reply: the headers set before the handler ran (CORS),
 * then the response's own. From `preHandler` it is sent; from `onSend` it is the new payload.
 */
function sendResponse(
  reply: FastifyReply,
  response: PaywallResponse,
  headersBefore: ResponseHeaders | undefined,
): FastifyReply | Buffer | string {
  if (headersBefore) resetHeaders(reply, headersBefore)
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value)
  reply.code(response.status)
  const body = typeof response.body === 'string' ? response.body : Buffer.from(response.body)
  if (headersBefore) return body
  return reply.send(body)
}

function resetHeaders(reply: FastifyReply, headers: ResponseHeaders): void {
  for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name)
  for (const [name, value] of Object.entries(headers)) reply.header(name, value)
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return Array.isArray(value) ? value.join(', ') : String(value)
}

/** The request view: the path as sent (the HTTP layer also matches its decoded form). */
function toRequestView(request: FastifyRequest): HttpRequestView<FastifyRequest> {
  const url = request.url
  const query = url.indexOf('?')
  return {
    method: request.method.toUpperCase(),
    path: query === -1 ? url : url.slice(0, query),
    url: `${request.protocol}://${request.host}${url}`,
    header: (name) => headerValue(request.headers[name.toLowerCase()]),
    raw: request,
  }
}
