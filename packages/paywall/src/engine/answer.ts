import type { PaymentRequirements, SettleResponse } from '@tollgate/core'
import { paywallChannels, publish } from '../diagnostics.js'
import type { PaywallFailureKind } from '../failures.js'
import { type FailedEvent, type FailureStage, runHook } from '../hooks.js'
import { paywallReasons } from '../reasons.js'
import { buildPaymentRequired } from '../stages/challenge.js'
import type { CallContext, Engine, PaymentContext } from './context.js'
import type { Outcome, RefusedOutcome } from './types.js'

// How the engine answers when a call is not served, and how it tells hooks and channels: one
// place, so every stage refuses the same way.

/** Why a call is refused, and what its failed event and outcome carry besides. */
export type Refusal = {
  stage: FailureStage
  failure: PaywallFailureKind
  reason: string
  message: string
  /** Fields of the failed event (the payment, its requirements, the error). */
  event?: Partial<Omit<FailedEvent, 'request' | 'route' | 'stage' | 'reason'>> | undefined
  /** The settlement to attach to the answer (failed, pending, or of unknown outcome). */
  settlement?: SettleResponse | undefined
  pending?: boolean | undefined
}

/** The outcome of a refusal, its failed event published and the `onFailed` hook started. */
export function refuse<request, result>(
  engine: Engine<request, result>,
  context: CallContext<request, result> | PaymentContext<request, result>,
  refusal: Refusal,
): Outcome<result> {
  const outcome = refusalOutcome(engine, context, refusal)
  dispatchFailed(engine, context, {
    ...refusal.event,
    stage: refusal.stage,
    reason: refusal.reason,
    failure: refusal.failure,
    status: engine.statusOf?.(refusal.failure),
  })
  return outcome
}

function refusalOutcome<request, result>(
  engine: Engine<request, result>,
  context: CallContext<request, result> | PaymentContext<request, result>,
  { stage, failure, reason, message, settlement, pending }: Refusal,
): Outcome<result> {
  const x402Version = 'payment' in context ? context.payment.x402Version : undefined
  const paymentRequired = () =>
    buildPaymentRequired({
      accepts: context.accepts,
      resource: context.resource,
      error: reason,
      extensions: engine.extensions,
    })
  if (failure === 'payment_required' || failure === 'precondition_required')
    return {
      kind: 'payment-required',
      failure,
      paymentRequired: paymentRequired(),
      reason,
      message,
      stage,
      x402Version,
    }
  if (failure === 'settlement_failed' && settlement && x402Version)
    return {
      kind: 'settlement-failed',
      failure,
      paymentRequired: paymentRequired(),
      settlement,
      pending: pending ?? false,
      reason,
      message,
      stage,
      x402Version,
    }
  const retryable = failure === 'facilitator_unavailable' || failure === 'store_unavailable'
  return {
    kind: 'refused',
    failure: failure as RefusedOutcome['failure'],
    reason,
    message,
    stage,
    settlement,
    x402Version,
    ...(retryable ? { retryAfterSeconds: 1 } : {}),
  }
}

const duplicateMessage = 'This payment authorization was already used for another request.'

/** A replay of an authorization already being served or settled. */
export function duplicate<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  requirements: PaymentRequirements,
): Outcome<result> {
  return refuse(engine, context, {
    stage: 'verify',
    failure: 'payment_required',
    reason: paywallReasons.duplicateSettlement,
    message: duplicateMessage,
    event: { ...context.base, requirements },
  })
}

/** Publishes a failed event and starts the `onFailed` hook; never delays the answer. */
export function dispatchFailed<request, result>(
  engine: Engine<request, result>,
  context: CallContext<request, result>,
  event: Omit<FailedEvent<request>, 'request' | 'route'>,
): void {
  const full: FailedEvent<request> = {
    request: context.call.request,
    route: context.route,
    ...event,
  }
  publish(paywallChannels.failed, () => ({ ...full }))
  void runHook('onFailed', engine.hooks.onFailed, full, engine.report)
}

/** Publishes a settled event and starts the `onSettled` hook; never delays the answer. */
export function dispatchSettled<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  paid: { requirements: PaymentRequirements; payer: string; settlement: SettleResponse },
): void {
  const event = { request: context.call.request, route: context.route, ...context.base, ...paid }
  publish(paywallChannels.settled, () => ({ ...event }))
  void runHook('onSettled', engine.hooks.onSettled, event, engine.report)
}

/**
 * Runs a store write whose failure must not change the answer (the work ran, or the payment
 * settled): the failure is reported, and the answer goes out as decided.
 */
export async function bestEffort<request, result>(
  engine: Engine<request, result>,
  context: CallContext<request, result>,
  what: string,
  write: () => Promise<unknown>,
): Promise<void> {
  try {
    await write()
  } catch (error) {
    engine.report('error', `the paywall store failed to ${what}`, { route: context.route, error })
    publish(paywallChannels.storeError, () => ({ route: context.route, error }))
  }
}

/** The answer when the store cannot be asked before the work runs: nothing run, nothing charged. */
export function storeUnavailable<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  error: unknown,
): Outcome<result> {
  engine.report('error', 'the paywall store failed', { route: context.route, error })
  publish(paywallChannels.storeError, () => ({ route: context.route, error }))
  return refuse(engine, context, {
    stage: 'store',
    failure: 'store_unavailable',
    reason: paywallReasons.storeUnavailable,
    message: 'The paywall could not record this payment; nothing was charged.',
    event: { ...context.base, error },
  })
}
