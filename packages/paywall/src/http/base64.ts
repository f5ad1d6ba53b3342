// Bytes to standard base64 and back without Node's Buffer, so the HTTP layer runs on Workers,
// Deno and Bun as well (`btoa`/`atob` are everywhere). Used for kept response bodies only.

/** Standard padded base64 of some bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  // In slices: `String.fromCharCode(...bytes)` of a large body overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The bytes of standard base64 (as {@link bytesToBase64} writes it). */
export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
