import {
  type FacilitatorRequest,
  isSettlementPending,
  type SettlementMode,
  type SettleResponse,
  type VerifyResponse,
} from '@tollgate/core'
import type { FacilitatorClient, SettleParameters } from '@tollgate/core/facilitator-client'

/** Verifies through the facilitator; a throw means the facilitator failed, not the payment. */
export function verifyPayment(
  facilitator: FacilitatorClient,
  request: FacilitatorRequest,
): Promise<VerifyResponse> {
  return facilitator.verify(request)
}

/**
 * Settles through the facilitator. The mode decided for the route (see `settlementModes.ts`), when
 * it sets one, travels as the typed `settlement` field: `createLocalFacilitator` honours it, and
 * the HTTP client sends it to a facilitator whose `/supported` lists it.
 * A `settlement_pending` answer is retried once, and only once, with the identical request, as the
 * reference server does (`settleWithPendingRetry`), so the facilitator reconciles the broadcast
 * transaction instead of sending another. Whatever the second answer is, it is the outcome.
 */
export async function settlePayment(
  facilitator: FacilitatorClient,
  request: FacilitatorRequest,
  settlement: SettlementMode | undefined,
): Promise<SettleResponse> {
  const params: SettleParameters = settlement === undefined ? request : { ...request, settlement }
  const first = await facilitator.settle(params)
  if (!isSettlementPending(first)) return first
  return facilitator.settle(params)
}
