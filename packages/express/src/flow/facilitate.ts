import type { FacilitatorRequest, SettleResponse, VerifyResponse } from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { paywallReasons } from '../reasons.js'
import type { SettlementMode } from './requirements.js'

/** Verifies through the facilitator; a throw means the facilitator failed, not the payment. */
export function verifyPayment(
  facilitator: FacilitatorClient,
  request: FacilitatorRequest,
): Promise<VerifyResponse> {
  return facilitator.verify(request)
}

/**
 * Settles through the facilitator. The route's mode travels as `settlement` beside the pair
 * (`createLocalFacilitator` honours it; an HTTP facilitator does not send it). A
 * `settlement_pending` answer is retried once with the identical request, as the reference server
 * does, so the facilitator can reconcile the broadcast transaction instead of sending another.
 */
export async function settlePayment(
  facilitator: FacilitatorClient,
  request: FacilitatorRequest,
  settlement: SettlementMode,
): Promise<SettleResponse> {
  // An extra key: facilitators that do not know it ignore it.
  const params =
    settlement === 'confirmed'
      ? request
      : ({ ...request, settlement } as unknown as FacilitatorRequest)
  const first = await facilitator.settle(params)
  if (first.success || first.errorReason !== paywallReasons.settlementPending) return first
  return facilitator.settle(params)
}
