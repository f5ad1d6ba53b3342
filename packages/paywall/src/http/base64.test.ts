import { afterEach, expect, test } from 'vitest'
import { base64ToBytes, bytesToBase64 } from './base64.js'

const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256)
const saved = globalThis.Buffer
afterEach(() => {
  globalThis.Buffer = saved
})

test('with and without Buffer: the same standard base64, and back', () => {
  const withBuffer = bytesToBase64(bytes)
  // A runtime without Buffer (Workers): btoa/atob, in slices.
  globalThis.Buffer = undefined as unknown as typeof Buffer
  const withoutBuffer = bytesToBase64(bytes)
  expect(withoutBuffer).toBe(withBuffer)
  expect(saved.from(base64ToBytes(withoutBuffer)).equals(saved.from(bytes))).toBe(true)
  expect(bytesToBase64(new Uint8Array([0, 255]))).toBe('AP8=')
})
