import type { Readable } from 'node:stream'
import {
  type HttpHeld,
  holdWebResponse,
  type PaywallResponse,
  type ResponseHeaders,
} from '@tollgate/paywall/http'
import type { FastifyReply } from 'fastify'
import { notHoldable } from './refusal.js'

/** A reply held in `onSend`: what the handler answered, whatever form its payload took. */
export type HeldReply = HttpHeld & { response: PaywallResponse }

/**
 * Reads what a handler answered into one held response: its real status and headers (a Web
 * `Response` carries its own, which Fastify applies only after `onSend`, so `reply.statusCode`
 * says 200 for a `Response` of 500) and its whole body, streams included, up to `maxBodyBytes`.
 * A larger body, or an event stream, becomes the 500 `holdWebResponse` answers for it.
 */
export async function holdPayload(
  reply: FastifyReply,
  payload: unknown,
  { maxBodyBytes }: { maxBodyBytes: number },
): Promise<HeldReply> {
  const headers = replyHeaders(reply)
  const asResponse = toResponse(payload, reply.statusCode, headers)
  if (asResponse) {
    const held = await holdWebResponse(() => asResponse, { maxBodyBytes })
    const response = held.snapshot()
    return { ...held, snapshot: () => response, response }
  }
  const body = bytesOf(payload)
  if (body === undefined) {
    // Not a payload Fastify sends: refuse it rather than guess its status (fail closed).
    const response = notHoldable('the reply is not a string, a buffer, a stream or a Response')
    return { aborted: false, status: response.status, snapshot: () => response, response }
  }
  const response = { status: reply.statusCode, headers, body }
  return { aborted: false, status: response.status, snapshot: () => response, response }
}

/** The bytes of a payload Fastify sends as it is (a string, a buffer); `undefined` for anything else. */
function bytesOf(payload: unknown): Uint8Array | undefined {
  if (payload === undefined || payload === null) return new Uint8Array(0)
  if (typeof payload === 'string') return new Uint8Array(Buffer.from(payload))
  if (ArrayBuffer.isView(payload))
    return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
  return undefined
}

/** A streamed payload (a Node or Web stream, or a Web `Response`) as one `Response`. */
function toResponse(payload: unknown, status: number, headers: ResponseHeaders) {
  // Checked as Fastify checks them (by tag and shape), not by `instanceof`: a `Response` made
  // by another copy of undici (a framework's polyfill) is still a `Response` to Fastify.
  if (Object.prototype.toString.call(payload) === '[object Response]') {
    const web = payload as Response
    const merged = new Headers()
    for (const [name, value] of Object.entries(headers)) merged.set(name, String(value))
    web.headers.forEach((value, name) => {
      merged.set(name, value)
    })
    return new Response(web.body, { status: web.status, headers: merged })
  }
  const stream =
    typeof (payload as ReadableStream | null)?.getReader === 'function'
      ? (payload as ReadableStream<Uint8Array>)
      : isNodeStream(payload)
        ? nodeToWeb(payload)
        : undefined
  if (!stream) return undefined
  const init = new Headers()
  for (const [name, value] of Object.entries(headers)) init.set(name, String(value))
  // A null-body status cannot carry a stream; its body is dropped, as Fastify drops it.
  if ([101, 103, 204, 205, 304].includes(status))
    return new Response(null, { status, headers: init })
  return new Response(stream, { status, headers: init })
}

function isNodeStream(payload: unknown): payload is Readable {
  return typeof (payload as Readable | null)?.pipe === 'function'
}

/** A Node readable as a Web stream, destroyed when the hold cancels it (over the limit). */
function nodeToWeb(stream: Readable): ReadableStream<Uint8Array> {
  const iterator = stream[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next()
      if (done) controller.close()
      else controller.enqueue(typeof value === 'string' ? Buffer.from(value) : value)
    },
    cancel() {
      stream.destroy()
    },
  })
}

/** The reply's headers as the paywall keeps them. */
export function replyHeaders(reply: FastifyReply): ResponseHeaders {
  const headers: ResponseHeaders = {}
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = value as string | number | string[]
  return headers
}
