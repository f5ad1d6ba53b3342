import type { FacilitatorHttpRequest } from './facilitatorExchange.js'

/** Why a request body could not be read as JSON. */
export type ReadJsonBodyFailure = { status: 400 | 413 | 415; code: string; message: string }

// Fatal: a body that is not UTF-8 is refused, not read with replacement characters.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a JSON request body of at most `maxBytes` bytes: refuses a larger `Content-Length` before
 * reading, and stops reading a body without one as soon as it passes the limit.
 */
export async function readJsonBody(
  request: Pick<FacilitatorHttpRequest, 'header' | 'readBody'>,
  maxBytes: number,
): Promise<{ ok: true; value: unknown } | ({ ok: false } & ReadJsonBodyFailure)> {
  const tooLarge = {
    ok: false,
    status: 413,
    code: 'body_too_large',
    message: `The request body is larger than ${maxBytes} bytes.`,
  } as const
  const type = request.header('content-type')
  if (type && !/^application\/(.+\+)?json\b/i.test(type))
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media_type',
      message: 'The request body must be application/json.',
    }
  const declared = Number(request.header('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge
  const body = await request.readBody(maxBytes)
  if (body.kind === 'tooLarge') return tooLarge
  if (body.kind === 'none')
    return { ok: false, status: 400, code: 'invalid_json', message: 'Empty body.' }
  try {
    return { ok: true, value: JSON.parse(utf8.decode(body.bytes)) }
  } catch {
    return { ok: false, status: 400, code: 'invalid_json', message: 'The body is not valid JSON.' }
  }
}
