import { expect, test } from 'vitest'
import { httpResultCodec, isHeld } from './resultCodec.js'

test('a kept response is JSON (body as base64) and comes back byte for byte, without its CORS headers', () => {
  const body = new Uint8Array([0, 1, 2, 255, 254, 10])
  const kept = httpResultCodec.keep({
    status: 201,
    headers: {
      'content-type': 'application/octet-stream',
      'Access-Control-Allow-Origin': '*',
      vary: 'Origin',
      'set-cookie': ['a=1', 'b=2'],
    },
    body,
  })
  expect(JSON.parse(JSON.stringify(kept))).toEqual({
    status: 201,
    headers: { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=2'] },
    body: 'AAEC//4K',
  })
  const restored = httpResultCodec.restore(JSON.parse(JSON.stringify(kept)))
  expect(isHeld(restored)).toBe(false)
  expect(restored).toEqual({ status: 201, headers: (kept as { headers: unknown }).headers, body })
})

test('a held response is kept from its snapshot; text bodies as UTF-8', () => {
  const held = {
    aborted: false,
    status: 200,
    snapshot: () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'héllo ✓' }),
  }
  expect(isHeld(held)).toBe(true)
  const restored = httpResultCodec.restore(httpResultCodec.keep(held))
  expect(new TextDecoder().decode(restored.body as Uint8Array)).toBe('héllo ✓')
})

test('a large body survives (kept in slices)', () => {
  const body = new Uint8Array(300_000).map((_, i) => i % 251)
  const restored = httpResultCodec.restore(httpResultCodec.keep({ status: 200, headers: {}, body }))
  expect(Buffer.from(restored.body).equals(Buffer.from(body))).toBe(true)
})
