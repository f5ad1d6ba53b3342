import { expect, test } from 'vitest'
import { prepareRequest } from './request.js'

const limit = { maxBufferedBodyBytes: 16 }

async function text(body: unknown): Promise<string> {
  return new Response(body as BodyInit).text()
}

test('an async iterable body is buffered into bytes and can be sent twice', async () => {
  async function* parts() {
    yield 'ab'
    yield new TextEncoder().encode('cd')
    yield Buffer.from('ef')
  }
  const request = await prepareRequest('http://x/y', { method: 'post', body: parts() }, limit)
  expect(request.method).toBe('POST')
  expect(request.replayable).toBe(true)
  const first = request.init()
  expect(first.duplex).toBeUndefined()
  expect(await text(first.body)).toBe('abcdef')
  expect(await text(request.init().body)).toBe('abcdef')
})

test('a body above the limit becomes one stream of everything, not replayable', async () => {
  const chunks = ['0123456789', '0123456789', 'tail']
  const stream = new ReadableStream<string>({
    pull(controller) {
      const chunk = chunks.shift()
      if (chunk === undefined) controller.close()
      else controller.enqueue(chunk)
    },
  })
  const request = await prepareRequest('http://x/', { method: 'POST', body: stream }, limit)
  expect(request.replayable).toBe(false)
  const init = request.init()
  expect(init.duplex).toBe('half')
  expect(await text(init.body)).toBe('01234567890123456789tail')
})

test('init headers replace a Request input headers; other Request fields carry over', async () => {
  const controller = new AbortController()
  const input = new Request('http://x/a?b=1', {
    method: 'DELETE',
    headers: { 'x-from-request': '1' },
    signal: controller.signal,
    redirect: 'manual',
  })
  const kept = await prepareRequest(input, undefined, limit)
  expect(kept.url.href).toBe('http://x/a?b=1')
  expect(kept.method).toBe('DELETE')
  expect(kept.headers.get('x-from-request')).toBe('1')
  const init = kept.init({ 'PAYMENT-SIGNATURE': 'abc' })
  expect(init.redirect).toBe('manual')
  expect(init.signal).toBe(input.signal)
  expect(init.headers).toEqual([
    ['payment-signature', 'abc'],
    ['x-from-request', '1'],
  ])
  const replaced = await prepareRequest(input, { headers: { 'x-from-init': '2' } }, limit)
  expect([...replaced.headers]).toEqual([['x-from-init', '2']])
})
