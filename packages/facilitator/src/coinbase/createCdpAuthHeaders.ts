import type { FacilitatorAuthHeaders } from '@tollgate/core'
import { createCdpJwt } from './createCdpJwt.js'

/** The hosted facilitator of the Coinbase Developer Platform. */
export const cdpFacilitatorUrl = 'https://api.cdp.coinbase.com/platform/v2/x402'

/** Options of {@link createCdpAuthHeaders}. */
export type CreateCdpAuthHeadersParameters = {
  /** @default process.env.CDP_API_KEY_ID (read when headers are made, not at import) */
  apiKeyId?: string | undefined
  /** @default process.env.CDP_API_KEY_SECRET */
  apiKeySecret?: string | undefined
  /** The facilitator's base URL; the JWT names its host and paths. @default cdpFacilitatorUrl */
  url?: string | undefined
  /** JWT lifetime, in seconds. @default 120 */
  expiresInSeconds?: number | undefined
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

/** The `Correlation-Context` value CDP expects: `key=value` pairs, values URI-encoded. */
export function createCorrelationContext(
  values: Record<string, string> = {
    sdk_language: 'typescript',
    source: 'tollgate',
    source_version: '0.1.0',
  },
): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join(',')
}

/**
 * Per-call headers for the CDP facilitator, in the shape both `createHttpFacilitatorClient`
 * (`@tollgate/core`) and the reference `HTTPFacilitatorClient` take as `createAuthHeaders`: a fresh
 * JWT per operation (`Authorization: Bearer …`, bound to its method and path) and
 * `Correlation-Context`.
 *
 * @example
 * import { createCdpAuthHeaders, cdpFacilitatorUrl } from '@tollgate/facilitator/coinbase'
 * import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
 *
 * const facilitator = createHttpFacilitatorClient({
 *   url: cdpFacilitatorUrl,
 *   createAuthHeaders: createCdpAuthHeaders(),
 * })
 */
export function createCdpAuthHeaders(
  parameters: CreateCdpAuthHeadersParameters = {},
): () => Promise<FacilitatorAuthHeaders> {
  const base = new URL(parameters.url ?? cdpFacilitatorUrl)
  const path = base.pathname.replace(/\/+$/, '')
  return async () => {
    const apiKeyId = parameters.apiKeyId ?? process.env.CDP_API_KEY_ID
    const apiKeySecret = parameters.apiKeySecret ?? process.env.CDP_API_KEY_SECRET
    if (!apiKeyId || !apiKeySecret) {
      // Without keys CDP still answers `/supported`; the calls that need them fail there.
      return { supported: { 'Correlation-Context': createCorrelationContext() } }
    }
    const headersFor = (method: string, route: string) => ({
      Authorization: `Bearer ${createCdpJwt({
        apiKeyId,
        apiKeySecret,
        requestMethod: method,
        requestHost: base.host,
        requestPath: `${path}${route}`,
        expiresInSeconds: parameters.expiresInSeconds,
        now: parameters.now,
      })}`,
      'Correlation-Context': createCorrelationContext(),
    })
    // A call reads one operation's headers: each JWT is signed only when it is read.
    return {
      get verify() {
        return headersFor('POST', '/verify')
      },
      get settle() {
        return headersFor('POST', '/settle')
      },
      get supported() {
        return headersFor('GET', '/supported')
      },
    }
  }
}
