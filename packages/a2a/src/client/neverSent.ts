const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])

/**
 * An error that proves the request never left: the connection was never made (Node's fetch
 * says why in `cause.code`, possibly wrapped by the SDK's transport).
 */
export function neverSent(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && unsentCodes.has(code)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
