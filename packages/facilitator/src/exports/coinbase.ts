// Coinbase's hosted facilitator (CDP): its auth headers and a client. `@coinbase/x402` is an
// optional peer: its `createFacilitatorConfig()` can be passed in; nothing here imports it.

export {
  type CreateCdpAuthHeadersParameters,
  cdpFacilitatorUrl,
  createCdpAuthHeaders,
  createCorrelationContext,
} from '../coinbase/createCdpAuthHeaders.js'
export {
  type CreateCdpFacilitatorClientParameters,
  createCdpFacilitatorClient,
} from '../coinbase/createCdpFacilitatorClient.js'
export {
  CdpKeyError,
  type CdpKeyErrorType,
  type CreateCdpJwtParameters,
  createCdpJwt,
} from '../coinbase/createCdpJwt.js'
