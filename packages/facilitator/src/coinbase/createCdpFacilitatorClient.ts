import type { FacilitatorAuthHeaders } from '@tollgate/core'
import {
  createHttpFacilitatorClient,
  type FacilitatorClient,
} from '@tollgate/core/facilitator-client'
import {
  type CreateCdpAuthHeadersParameters,
  cdpFacilitatorUrl,
  createCdpAuthHeaders,
} from './createCdpAuthHeaders.js'

/** Options of {@link createCdpFacilitatorClient}: CDP keys (or a `@coinbase/x402` config) and the HTTP client's. */
export type CreateCdpFacilitatorClientParameters = CreateCdpAuthHeadersParameters & {
  /**
   * A facilitator config from `@coinbase/x402` (`createFacilitatorConfig()` or its `facilitator`),
   * used instead of this module's own JWTs.
   */
  facilitatorConfig?:
    | {
        url?: string | undefined
        createAuthHeaders?: (() => Promise<FacilitatorAuthHeaders>) | undefined
      }
    | undefined
  fetch?: typeof globalThis.fetch | undefined
  /** Per call, in ms. @default 30_000 */
  timeoutMs?: number | undefined
}

/**
 * A client for Coinbase's hosted facilitator (CDP), for providers who do not run their own:
 * `verify`, `settle` and `supported` with CDP's auth headers. CDP answers invalid payments with
 * HTTP 400 and a response body, which the client reads as an answer, not an error.
 *
 * @example
 * import { createCdpFacilitatorClient } from '@tollgate/facilitator/coinbase'
 *
 * const facilitator = createCdpFacilitatorClient({ apiKeyId, apiKeySecret })
 * const { isValid } = await facilitator.verify({ paymentPayload, paymentRequirements })
 */
export function createCdpFacilitatorClient(
  parameters: CreateCdpFacilitatorClientParameters = {},
): FacilitatorClient {
  const { facilitatorConfig, fetch, timeoutMs } = parameters
  const url = facilitatorConfig?.url ?? parameters.url ?? cdpFacilitatorUrl
  return createHttpFacilitatorClient({
    url,
    createAuthHeaders:
      facilitatorConfig?.createAuthHeaders ?? createCdpAuthHeaders({ ...parameters, url }),
    ...(fetch ? { fetch } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  })
}
