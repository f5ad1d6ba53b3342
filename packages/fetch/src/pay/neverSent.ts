const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])

/**
 * A fetch error that proves the request never left: the connection was never made (Node's fetch
 * says why in `cause.code`; elsewhere nothing proves it, and the payment may have been sent).
 */
export function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof cause?.code === 'string' && unsentCodes.has(cause.code)
}
