import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { HeldResponse, PaywallResponse, ResponseHeaders } from '../flow/request.js'

type Callback = (error?: Error | null) => void
type Patched = 'writeHead' | 'write' | 'end' | 'flushHeaders'
const patched: readonly Patched[] = ['writeHead', 'write', 'end', 'flushHeaders']

/**
 * Holds back everything a handler writes to `res` (status, headers, `write` chunks, `end`) until
 * the paywall has settled: `res.json`, `res.send`, `res.sendFile`, piped streams and raw
 * `writeHead`/`write`/`end` all end up in the four patched methods. Nothing reaches the socket
 * before `release()`; `discard()` drops it all and restores the headers set before the handler ran.
 *
 * The promise resolves when the handler calls `end()`, or when the client goes away first
 * (`aborted`). Writes are acknowledged at once (`write()` returns `true`), so a piped stream is
 * buffered whole: this is for API responses, not large downloads.
 */
export function holdResponse(res: ServerResponse): Promise<HeldResponse> {
  const saved = patched.map((name) => ({
    name,
    own: Object.hasOwn(res, name),
    value: res[name],
  }))
  const headersBefore = { ...res.getHeaders() }
  const statusBefore = res.statusCode
  const chunks: Buffer[] = []
  let endCallback: Callback | undefined
  let state: 'holding' | 'ended' | 'released' | 'discarded' = 'holding'
  let resolve!: (held: HeldResponse) => void
  const done = new Promise<HeldResponse>((r) => {
    resolve = r
  })

  const push = (chunk: unknown, encoding: BufferEncoding | undefined) => {
    if (chunk === undefined || chunk === null) return
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, encoding ?? 'utf8'))
    else if (chunk instanceof Uint8Array)
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  const restore = () => {
    for (const { name, own, value } of saved) {
      if (own) (res as unknown as Record<string, unknown>)[name] = value
      else delete (res as unknown as Record<string, unknown>)[name]
    }
  }

  const onClose = () => {
    if (state !== 'holding') return
    // The client left before the handler finished: keep swallowing the handler's writes.
    state = 'discarded'
    resolve(held(true))
  }

  function writeHead(
    this: ServerResponse,
    statusCode: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ) {
    if (state !== 'holding') return res
    res.statusCode = statusCode
    let headers = maybeHeaders
    if (typeof reasonOrHeaders === 'string') res.statusMessage = reasonOrHeaders
    else headers = reasonOrHeaders
    if (Array.isArray(headers)) {
      // `[[name, value], ...]` or Node's flat `[name, value, name, value]`.
      if (headers.length > 0 && Array.isArray(headers[0]))
        for (const [name, value] of headers as unknown as [string, OutgoingHttpHeader][])
          res.setHeader(name, value)
      else
        for (let i = 0; i + 1 < headers.length; i += 2)
          res.setHeader(String(headers[i]), headers[i + 1] as OutgoingHttpHeader)
    } else if (headers)
      for (const [name, value] of Object.entries(headers))
        if (value !== undefined) res.setHeader(name, value)
    return res
  }

  function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
    if (state !== 'holding') return true
    push(
      chunk,
      typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined,
    )
    const cb = (typeof encodingOrCallback === 'function' ? encodingOrCallback : callback) as
      | Callback
      | undefined
    if (cb) process.nextTick(cb)
    return true
  }

  function end(chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown) {
    if (state !== 'holding') return res
    if (typeof chunk === 'function') {
      callback = chunk
      chunk = undefined
    }
    push(
      chunk,
      typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined,
    )
    endCallback = (typeof encodingOrCallback === 'function' ? encodingOrCallback : callback) as
      | Callback
      | undefined
    state = 'ended'
    res.off('close', onClose)
    resolve(held(false))
    return res
  }

  const target = res as unknown as Record<Patched, unknown>
  target.writeHead = writeHead
  target.write = write
  target.end = end
  target.flushHeaders = () => {}
  res.on('close', onClose)

  function held(aborted: boolean): HeldResponse {
    return {
      aborted,
      status: res.statusCode,
      release(headers?: ResponseHeaders) {
        if (state !== 'ended') return
        state = 'released'
        restore()
        for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value)
        const body = Buffer.concat(chunks)
        // One `end(body)` before any header went out lets Node set `Content-Length` itself.
        if (body.length > 0) res.end(body, endCallback)
        else res.end(endCallback)
      },
      discard() {
        if (state === 'released') return
        const wasAborted = state === 'discarded'
        state = 'discarded'
        if (wasAborted) return
        restore()
        for (const name of res.getHeaderNames()) res.removeHeader(name)
        for (const [name, value] of Object.entries(headersBefore))
          if (value !== undefined) res.setHeader(name, value)
        res.statusCode = statusBefore
        res.statusMessage = ''
        chunks.length = 0
      },
      snapshot(): PaywallResponse {
        const headers: ResponseHeaders = {}
        for (const [name, value] of Object.entries(res.getHeaders()))
          if (value !== undefined) headers[name] = value
        return { status: res.statusCode, headers, body: Buffer.concat(chunks) }
      },
    }
  }

  return done
}
