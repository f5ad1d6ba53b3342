// The one part of core that does I/O: the HTTP client of a facilitator.

export {
  FacilitatorError,
  type FacilitatorErrorType,
  type FacilitatorOperation,
  FacilitatorTimeoutError,
  type FacilitatorTimeoutErrorType,
} from '../errors/facilitator.js'
export {
  type CreateHttpFacilitatorClientErrorType,
  type CreateHttpFacilitatorClientParameters,
  type CreateHttpFacilitatorClientReturnType,
  createHttpFacilitatorClient,
  type FacilitatorAuthHeaders,
  type FacilitatorClient,
  type FacilitatorRequest,
  type HttpFacilitatorClient,
  type SettlementStatusQuery,
  type SettleParameters,
} from '../facilitator/createHttpFacilitatorClient.js'
export type { SettlementMode } from '../facilitator/settlement.js'
export type { SettlementStatusResponse } from '../schemas/status.js'
