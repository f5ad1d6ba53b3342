import type { PaymentRequirements, VerifyResponse } from '@tollgate/core'
import { paywallChannels, publish } from '../diagnostics.js'
import { refuse } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Outcome } from '../engine/types.js'
import { UnsupportedSettlementModeError } from '../errors.js'
import { facilitatorFailureReason, verifyFailureKind } from '../failures.js'
import { runHook } from '../hooks.js'
import { paywallReasons } from '../reasons.js'
import { facilitatorRequest, reportFacilitatorFailure, verifyPayment } from './facilitate.js'

/**
 * What the offer's `settlement` mode asks for must hold: checked against the facilitator's
 * `/supported` before anything is verified or claimed. `undefined` when it holds; the refusal when
 * the facilitator cannot honour it (500) or `/supported` could not be read (502/503).
 */
export async function checkSettlementMode<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  requirements: PaymentRequirements,
): Promise<Outcome<result> | undefined> {
  try {
    await engine.modes.modeFor(context.call.offer, requirements.network)
    return undefined
  } catch (error) {
    const event = { ...context.base, requirements, error }
    if (error instanceof UnsupportedSettlementModeError)
      return refuse(engine, context, {
        stage: 'settlement-mode',
        failure: 'server_error',
        reason: paywallReasons.settlementModeUnsupported,
        message:
          'The payment facilitator cannot settle this resource the way it requires; nothing was charged.',
        event,
      })
    return refuse(engine, context, {
      stage: 'settlement-mode',
      failure: reportFacilitatorFailure(engine, context, 'supported', error),
      reason: facilitatorFailureReason('supported'),
      message: 'The payment facilitator could not be asked what it supports; nothing was charged.',
      event,
    })
  }
}

/** A payment the facilitator verified, with the requirement it verified against. */
export type Verified = { requirements: PaymentRequirements; verification: VerifyResponse }

/**
 * Verifies the payment against its candidates in turn (v1 options that differ by asset alone:
 * the signature's domain decides), the first valid one wins; or the refusal.
 */
export async function verify<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
): Promise<Verified | Outcome<result>> {
  let verification: VerifyResponse | undefined
  let requirements = context.candidates[0]
  for (const candidate of context.candidates) {
    requirements = candidate
    try {
      verification = await verifyPayment(engine.facilitator, facilitatorRequest(context, candidate))
    } catch (error) {
      return refuse(engine, context, {
        stage: 'verify',
        failure: reportFacilitatorFailure(engine, context, 'verify', error),
        reason: facilitatorFailureReason('verify'),
        message: 'The payment facilitator could not verify the payment; nothing was charged.',
        event: { ...context.base, requirements, error },
      })
    }
    if (verification.isValid) return { requirements, verification }
  }
  const reason = verification?.invalidReason ?? paywallReasons.invalidPayload
  return refuse(engine, context, {
    stage: 'verify',
    failure: verifyFailureKind(reason),
    reason,
    message: verification?.invalidMessage ?? 'The payment did not verify.',
    event: { ...context.base, requirements },
  })
}

/** Tells the `verified` channel and awaits the `onVerified` hook: the work runs after it. */
export async function announceVerified<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, verification }: Verified,
  payer: string,
): Promise<void> {
  const event = {
    request: context.call.request,
    route: context.route,
    ...context.base,
    requirements,
    payer,
    verification,
  }
  publish(paywallChannels.verified, () => ({ ...event }))
  await runHook('onVerified', engine.hooks.onVerified, event, engine.report)
}
