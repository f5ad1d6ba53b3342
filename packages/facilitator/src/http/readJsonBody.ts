/** Why a request body could not be read as JSON. */
export type ReadJsonBodyFailure = { status: 400 | 413 | 415; code: string; message: string }

/**
 * Reads a JSON request body of at most `maxBytes` bytes: refuses a larger `Content-Length` before
 * reading, and stops reading a body without one as soon as it passes the limit.
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; value: unknown } | ({ ok: false } & ReadJsonBodyFailure)> {
  const tooLarge = {
    ok: false,
    status: 413,
    code: 'body_too_large',
    message: `The request body is larger than ${maxBytes} bytes.`,
  } as const
  const type = request.headers.get('content-type')
  if (type && !/^application\/(.+\+)?json\b/i.test(type))
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media_type',
      message: 'The request body must be application/json.',
    }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge
  if (!request.body) return { ok: false, status: 400, code: 'invalid_json', message: 'Empty body.' }
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return tooLarge
    }
    chunks.push(chunk.value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) }
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', message: 'The body is not valid JSON.' }
  }
}
