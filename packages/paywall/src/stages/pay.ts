import { duplicate } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Outcome } from '../engine/types.js'
import { authorizationKey, payerOf, validBeforeMs } from '../payment/authorization.js'
import { findKept, resume } from './resume.js'
import { serveFirst, settleFirst } from './serve.js'
import { announceVerified, checkSettlementMode, verify } from './verify.js'

/**
 * A matched payment: finish a kept purchase it belongs to, or verify it, claim its authorization
 * (one authorization, one call, across everyone sharing the store), then settle and run the work
 * in the offer's order.
 */
export async function pay<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
): Promise<Outcome<result>> {
  const resumable = await findKept(engine, context)
  if (resumable) return resume(engine, context, resumable)

  const { authorization } = context.payment
  // Cheap early answer for a replay of a payment already being served or settled.
  for (const candidate of context.candidates)
    if (await engine.guard.has(authorizationKey(candidate, authorization)))
      return duplicate(engine, context, context.candidates[0])

  const refused = await checkSettlementMode(engine, context, context.candidates[0])
  if (refused) return refused

  const verified = await verify(engine, context)
  if ('kind' in verified) return verified
  const { requirements, verification } = verified
  const key = authorizationKey(requirements, authorization)
  const claim = await engine.guard.claim(key, validBeforeMs(authorization))
  if (!claim) return duplicate(engine, context, requirements)

  const payer = verification.payer ?? payerOf(authorization)
  await announceVerified(engine, context, verified, payer)
  const claimed = { requirements, payer, claim }
  return context.call.offer.order === 'settle-first'
    ? settleFirst(engine, context, claimed)
    : serveFirst(engine, context, claimed)
}
