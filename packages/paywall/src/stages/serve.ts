import type { PaymentRequirements, SettleResponse } from '@tollgate/core'
import { bestEffort, dispatchFailed, dispatchSettled } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Held, Outcome } from '../engine/types.js'
import { authorizationKey } from '../payment/authorization.js'
import type { GuardClaim } from '../state/replayGuard.js'
import { settle } from './settle.js'

/** A verified payment whose authorization this call holds. */
export type Claimed = { requirements: PaymentRequirements; payer: string; claim: GuardClaim }

/**
 * Serve-first: the work runs with its result held back, then the payment settles and the result
 * goes out with the settlement. A failed (or abandoned) work charges nothing, and the payment can
 * be used again.
 */
export async function serveFirst<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, payer, claim }: Claimed,
): Promise<Outcome<result>> {
  const release = () =>
    bestEffort(engine, context, 'release an authorization', () => engine.guard.release(claim))
  let held: Held<result>
  try {
    held = await context.call.run()
  } catch (error) {
    await release()
    throw error
  }
  if (held.aborted || !held.ok) {
    await release()
    handlerFailed(engine, context, held, { requirements })
    return notServed(context, held, undefined)
  }
  const settled = await settle(engine, context, { requirements, payer, held })
  if ('outcome' in settled) return settled.outcome
  dispatchSettled(engine, context, { requirements, payer, settlement: settled.settlement })
  return served(context, held.result, settled.settlement)
}

/** Settle-first: the transfer first, then the work, only for a settled payment. */
export async function settleFirst<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, payer }: Claimed,
): Promise<Outcome<result>> {
  const settled = await settle(engine, context, { requirements, payer })
  if ('outcome' in settled) return settled.outcome
  return serveSettled(engine, context, { requirements, payer, settlement: settled.settlement })
}

/**
 * The transfer is done: run the work and send whatever it answers, with the successful
 * settlement. A failed work keeps the payment: the same payment sent again runs it again,
 * without settling twice.
 */
export async function serveSettled<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  paid: { requirements: PaymentRequirements; payer: string; settlement: SettleResponse },
): Promise<Outcome<result>> {
  const { requirements, settlement } = paid
  const { authorization } = context.payment
  const key = authorizationKey(requirements, authorization)
  const held = await context.call.run()
  if (held.aborted || !held.ok) {
    await bestEffort(engine, context, 'keep a paid payment', () =>
      engine.kept.set(key, {
        kind: 'paid',
        signature: authorization.signature,
        requirements,
        settlement,
      }),
    )
    handlerFailed(engine, context, held, { requirements, settlement })
    return notServed(context, held, settlement)
  }
  await bestEffort(engine, context, 'forget a finished payment', () => engine.kept.delete(key))
  dispatchSettled(engine, context, paid)
  return served(context, held.result, settlement)
}

function handlerFailed<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  held: Held<result>,
  extra: { requirements: PaymentRequirements; settlement?: SettleResponse | undefined },
): void {
  dispatchFailed(engine, context, {
    stage: 'handler',
    reason: held.aborted ? 'client_closed_request' : 'handler_failed',
    status: held.status,
    ...context.base,
    ...extra,
  })
}

/** Paid: the result goes out with its settlement. */
export function served<request, result>(
  context: PaymentContext<request, result>,
  result: result,
  settlement: SettleResponse,
): Outcome<result> {
  return { kind: 'served', result, settlement, x402Version: context.payment.x402Version }
}

function notServed<request, result>(
  context: PaymentContext<request, result>,
  held: Held<result>,
  settlement: SettleResponse | undefined,
): Outcome<result> {
  return {
    kind: 'not-served',
    result: held.result,
    aborted: held.aborted === true,
    settlement,
    x402Version: context.payment.x402Version,
  }
}
