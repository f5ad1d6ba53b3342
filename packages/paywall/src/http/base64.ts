// Bytes to standard base64 and back. Node and Bun have `Buffer` (fast, native); elsewhere (Workers,
// Deno without the Node layer) `btoa`/`atob` do it, so the HTTP layer imports nothing of Node.
// Used for kept response bodies only.

type BufferLike = {
  from(bytes: Uint8Array): { toString(encoding: 'base64'): string }
  from(text: string, encoding: 'base64'): Uint8Array
}

function nodeBuffer(): BufferLike | undefined {
  const buffer = (globalThis as { Buffer?: BufferLike }).Buffer
  return typeof buffer === 'function' ? buffer : undefined
}

/** Standard padded base64 of some bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  const buffer = nodeBuffer()
  if (buffer) return buffer.from(bytes).toString('base64')
  let binary = ''
  // In slices: `String.fromCharCode(...bytes)` of a large body overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The bytes of standard base64 (as {@link bytesToBase64} writes it). */
export function base64ToBytes(base64: string): Uint8Array {
  const buffer = nodeBuffer()
  if (buffer) return new Uint8Array(buffer.from(base64, 'base64'))
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
