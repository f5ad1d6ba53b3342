import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { HttpHeld, PaywallResponse, ResponseHeaders } from '@tollgate/paywall/http'

/** The handler's response on `res`, held back until the paywall decides what to do with it. */
export type HeldResponse = HttpHeld & {
  /** Sends the held response as the handler wrote it, plus `headers`. */
  release(headers?: ResponseHeaders | undefined): void
  /** Drops the handler's status, headers and body; a `send` follows. Later handler writes are swallowed. */
  discard(): void
  /** The response as written so far (after `release`: as it went out). */
  snapshot(): PaywallResponse
}

type Callback = (error?: Error | null) => void
type Patched = 'writeHead' | 'write' | 'end' | 'flushHeaders'
const patched: readonly Patched[] = ['writeHead', 'write', 'end', 'flushHeaders']

/** What one hold keeps while the handler writes. */
type Hold = {
  res: ServerResponse
  saved: { name: Patched; value: unknown }[]
  headersBefore: OutgoingHttpHeaders
  statusBefore: number
  chunks: Buffer[]
  endCallback: Callback | undefined
  state: 'holding' | 'ended' | 'released' | 'discarded'
  resolve: (held: HeldResponse) => void
  onClose: () => void
}

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
  return new Promise<HeldResponse>((resolve) => {
    const hold: Hold = {
      res,
      saved: patched.map((name) => ({ name, value: res[name] })),
      headersBefore: { ...res.getHeaders() },
      statusBefore: res.statusCode,
      chunks: [],
      endCallback: undefined,
      state: 'holding',
      resolve,
      onClose: () => {
        if (hold.state !== 'holding') return
        // The client left before the handler finished: keep swallowing the handler's writes.
        hold.state = 'discarded'
        resolve(heldOf(hold, true))
      },
    }
    const target = res as unknown as Record<Patched, unknown>
    target.writeHead = (
      statusCode: number,
      reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ) => writeHead(hold, statusCode, reasonOrHeaders, maybeHeaders)
    target.write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) =>
      write(hold, chunk, encodingOrCallback, callback)
    target.end = (chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown) =>
      end(hold, chunk, encodingOrCallback, callback)
    target.flushHeaders = () => {}
    res.on('close', hold.onClose)
  })
}

function push(hold: Hold, chunk: unknown, encoding: unknown): void {
  if (chunk === undefined || chunk === null) return
  if (typeof chunk === 'string')
    hold.chunks.push(
      Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
    )
  else if (chunk instanceof Uint8Array)
    hold.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
}

function restore({ res, saved }: Hold): void {
  // Assigned back, never deleted: a `delete` of any but an object's newest property turns it into
  // a dictionary in V8, and every later property read Node makes on that response gets slower
  // (the handler adds properties after the patches, `statusCode` for one). The inherited methods
  // come back as own properties holding the same functions.
  for (const { name, value } of saved) (res as unknown as Record<string, unknown>)[name] = value
}

function writeHead(
  hold: Hold,
  statusCode: number,
  reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
  maybeHeaders?: OutgoingHttpHeaders | OutgoingHttpHeader[],
): ServerResponse {
  const { res } = hold
  if (hold.state !== 'holding') return res
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

function write(
  hold: Hold,
  chunk: unknown,
  encodingOrCallback?: unknown,
  callback?: unknown,
): boolean {
  if (hold.state !== 'holding') return true
  push(hold, chunk, encodingOrCallback)
  const cb = (typeof encodingOrCallback === 'function' ? encodingOrCallback : callback) as
    | Callback
    | undefined
  if (cb) process.nextTick(cb)
  return true
}

function end(
  hold: Hold,
  chunk?: unknown,
  encodingOrCallback?: unknown,
  callback?: unknown,
): ServerResponse {
  if (hold.state !== 'holding') return hold.res
  if (typeof chunk === 'function') {
    callback = chunk
    chunk = undefined
  }
  push(hold, chunk, encodingOrCallback)
  hold.endCallback = (typeof encodingOrCallback === 'function' ? encodingOrCallback : callback) as
    | Callback
    | undefined
  hold.state = 'ended'
  hold.res.off('close', hold.onClose)
  hold.resolve(heldOf(hold, false))
  return hold.res
}

function heldOf(hold: Hold, aborted: boolean): HeldResponse {
  const { res } = hold
  return {
    aborted,
    status: res.statusCode,
    release: (headers) => release(hold, headers),
    discard: () => discard(hold),
    snapshot(): PaywallResponse {
      const headers: ResponseHeaders = {}
      for (const [name, value] of Object.entries(res.getHeaders()))
        if (value !== undefined) headers[name] = value
      return { status: res.statusCode, headers, body: Buffer.concat(hold.chunks) }
    },
  }
}

function release(hold: Hold, headers: ResponseHeaders | undefined): void {
  if (hold.state !== 'ended') return
  const { res } = hold
  hold.state = 'released'
  restore(hold)
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value)
  const body = Buffer.concat(hold.chunks)
  // One `end(body)` before any header went out lets Node set `Content-Length` itself.
  if (body.length > 0) res.end(body, hold.endCallback)
  else res.end(hold.endCallback)
}

function discard(hold: Hold): void {
  if (hold.state === 'released') return
  const wasAborted = hold.state === 'discarded'
  hold.state = 'discarded'
  if (wasAborted) return
  const { res } = hold
  restore(hold)
  for (const name of res.getHeaderNames()) res.removeHeader(name)
  for (const [name, value] of Object.entries(hold.headersBefore))
    if (value !== undefined) res.setHeader(name, value)
  res.statusCode = hold.statusBefore
  res.statusMessage = ''
  hold.chunks.length = 0
}
