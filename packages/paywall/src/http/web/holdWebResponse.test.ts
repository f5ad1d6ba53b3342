import { describe, expect, test } from 'vitest'
import { heldServerError, holdWebResponse, toWebResponse } from './holdWebResponse.js'

const text = (bytes: string | Uint8Array) =>
  typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)

/** A stream of `count` chunks of `size` bytes, counting how many were pulled. */
function chunks(count: number, size: number) {
  const pulled = { count: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === count) return controller.close()
      pulled.count++
      controller.enqueue(new Uint8Array(size).fill(97))
    },
    cancel() {
      pulled.cancelled = true
    },
  })
  return { stream, pulled }
}

describe('holdWebResponse', () => {
  test('holds status, headers (cookies apart) and the whole body of a stream', async () => {
    const { stream } = chunks(3, 4)
    const headers = new Headers({ 'content-type': 'text/plain', 'x-app': '1' })
    headers.append('set-cookie', 'a=1')
    headers.append('set-cookie', 'b=2')
    const held = await holdWebResponse(
      () => new Response(stream, { status: 201, statusText: 'Made', headers }),
      { maxBodyBytes: 100 },
    )
    expect(held.aborted).toBe(false)
    expect(held.status).toBe(201)
    const snapshot = held.snapshot()
    expect(text(snapshot.body)).toBe('a'.repeat(12))
    expect(snapshot.headers).toMatchObject({ 'x-app': '1', 'set-cookie': ['a=1', 'b=2'] })

    const out = held.toResponse({
      under: new Headers({ 'x-app': 'cors', vary: 'Origin' }),
      over: { 'PAYMENT-RESPONSE': 'abc' },
    })
    expect(out.status).toBe(201)
    expect(out.statusText).toBe('Made')
    // The handler's headers win over those under, the paywall's over both.
    expect(out.headers.get('x-app')).toBe('1')
    expect(out.headers.get('vary')).toBe('Origin')
    expect(out.headers.get('payment-response')).toBe('abc')
    expect(out.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(await out.text()).toBe('a'.repeat(12))
  })

  test('a body over maxBodyBytes is cancelled and answered 500 paid_response_too_large', async () => {
    const { stream, pulled } = chunks(1000, 1024)
    const held = await holdWebResponse(() => new Response(stream), { maxBodyBytes: 4096 })
    expect(held.status).toBe(500)
    expect(pulled.cancelled).toBe(true)
    expect(pulled.count).toBeLessThan(10)
    expect(JSON.parse(text(held.snapshot().body))).toEqual({
      error: 'paid_response_too_large',
      message:
        'The paid response cannot be held until the payment settles: the response is over 4096 bytes. Nothing was charged.',
    })
    // A declared Content-Length over the limit is refused before reading.
    const declared = await holdWebResponse(
      () => new Response('x'.repeat(10), { headers: { 'content-length': '5000' } }),
      { maxBodyBytes: 4096 },
    )
    expect(declared.status).toBe(500)
  })

  test('an event stream is refused at once with 500 paid_response_not_holdable', async () => {
    const { stream, pulled } = chunks(Number.POSITIVE_INFINITY, 1)
    const held = await holdWebResponse(
      () => new Response(stream, { headers: { 'content-type': 'text/event-stream' } }),
      { maxBodyBytes: 1024 },
    )
    expect(held.status).toBe(500)
    expect(pulled.cancelled).toBe(true)
    expect(JSON.parse(text(held.snapshot().body)).error).toBe('paid_response_not_holdable')
  })

  test('a client that goes away ends the hold as aborted, whether the handler or its body is late', async () => {
    const controller = new AbortController()
    let finish: (response: Response) => void = () => {}
    const late = holdWebResponse(() => new Promise<Response>((resolve) => (finish = resolve)), {
      maxBodyBytes: 1024,
      signal: controller.signal,
    })
    controller.abort()
    expect((await late).aborted).toBe(true)
    finish(new Response('too late'))

    const stalled = new AbortController()
    const never = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) })
    const held = holdWebResponse(() => new Response(never), {
      maxBodyBytes: 1024,
      signal: stalled.signal,
    })
    stalled.abort()
    expect((await held).aborted).toBe(true)
  })

  test('a handler that throws rejects (the caller decides); a null-body status keeps no body', async () => {
    await expect(
      holdWebResponse(
        () => {
          throw new Error('boom')
        },
        { maxBodyBytes: 10 },
      ),
    ).rejects.toThrow('boom')
    const held = await holdWebResponse(() => new Response(null, { status: 204 }), {
      maxBodyBytes: 10,
    })
    expect(held.toResponse({}).status).toBe(204)
    expect(heldServerError().status).toBe(500)
    expect(toWebResponse({ status: 204, headers: { a: 'b' }, body: '' }).headers.get('a')).toBe('b')
  })
})
