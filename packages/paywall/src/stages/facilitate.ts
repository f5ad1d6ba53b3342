import {
  type FacilitatorRequest,
  isSettlementPending,
  type PaymentRequirements,
  type SettlementMode,
  type SettleResponse,
  type VerifyResponse,
} from '@tollgate/core'
import type { FacilitatorClient, SettleParameters } from '@tollgate/core/facilitator-client'
import { paywallChannels, publish } from '../diagnostics.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import { facilitatorFailureKind, type PaywallFailureKind } from '../failures.js'
import { toV1Requirement } from '../offer/resource.js'

/** The verify/settle request of a payment for one of its candidate requirements. */
export function facilitatorRequest<request, result>(
  context: PaymentContext<request, result>,
  requirements: PaymentRequirements,
): FacilitatorRequest {
  const { payment, resource, call } = context
  if (payment.x402Version === 2)
    return { paymentPayload: payment.payload, paymentRequirements: requirements }
  return {
    paymentPayload: payment.payload,
    paymentRequirements: toV1Requirement(requirements, resource, call.offer.outputSchema),
  }
}

/**
 * Reports a facilitator call that threw (logged without secrets, published on the
 * `facilitator-error` channel) and says which kind of failure it is: unavailable or broken.
 */
export function reportFacilitatorFailure<request, result>(
  engine: Engine<request, result>,
  context: { route: string },
  stage: 'supported' | 'verify' | 'settle',
  error: unknown,
): PaywallFailureKind {
  const what = stage === 'supported' ? 'say what it supports' : stage
  engine.report('warn', `the facilitator failed to ${what}`, { route: context.route, error })
  publish(paywallChannels.facilitatorError, () => ({ stage, error }))
  return facilitatorFailureKind(error)
}

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
