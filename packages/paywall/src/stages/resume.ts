import { bestEffort, dispatchSettled, duplicate } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Outcome } from '../engine/types.js'
import { authorizationKey, payerOf } from '../payment/authorization.js'
import type { KeptPayment } from '../state/keptPayments.js'
import { served, serveSettled } from './serve.js'
import { settle } from './settle.js'

/** A kept purchase this payment may finish: its authorization key and its entry. */
export type Resumable = { key: string; entry: KeptPayment }

/**
 * The same signed payment again, for a purchase not finished (a pending settlement, or a
 * settle-first payment whose work failed): the kept entry, when the signature is the same.
 */
export async function findKept<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
): Promise<Resumable | undefined> {
  const { authorization } = context.payment
  for (const candidate of context.candidates) {
    const key = authorizationKey(candidate, authorization)
    const entry = await engine.kept.get(key)
    if (entry && entry.signature.toLowerCase() === authorization.signature.toLowerCase())
      return { key, entry }
  }
  return undefined
}

/** Finishes a kept purchase, one call at a time: settles a pending one, or reruns a paid one. */
export async function resume<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { key, entry }: Resumable,
): Promise<Outcome<result>> {
  const lock = await engine.kept.lock(key)
  if (!lock) return duplicate(engine, context, entry.requirements)
  try {
    const payer = payerOf(context.payment.authorization)
    const { requirements } = entry
    if (entry.kind === 'paid')
      return await serveSettled(engine, context, {
        requirements,
        payer,
        settlement: entry.settlement,
      })
    const settled = await settle(engine, context, { requirements, payer })
    if ('outcome' in settled) return settled.outcome
    await bestEffort(engine, context, 'forget a finished payment', () => engine.kept.delete(key))
    dispatchSettled(engine, context, { requirements, payer, settlement: settled.settlement })
    return served(context, engine.codec.restore(entry.result), settled.settlement)
  } finally {
    await bestEffort(engine, context, 'release a lock', () => engine.kept.unlock(lock))
  }
}
