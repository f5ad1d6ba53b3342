import type { SettleResponse } from '@tollgate/core'
import { bestEffort, refuse } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Outcome } from '../engine/types.js'
import type { IdempotencySlot } from '../idempotency/createIdempotency.js'
import { readPaymentIdentifier } from '../idempotency/paymentIdentifier.js'
import { paywallReasons } from '../reasons.js'

/** What is kept for a payment identifier: the paid result, its settlement, the version. */
type KeptAnswer = { result: unknown; settlement: SettleResponse; x402Version: 1 | 2 }

/**
 * Payment-identifier idempotency (v2): a malformed or missing-but-required identifier is refused;
 * the same identifier and payload again gets the kept answer (waiting for one still running); the
 * same identifier with another payload is a conflict; otherwise `pay` runs once and its paid
 * answer is kept.
 */
export async function idempotent<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  pay: () => Promise<Outcome<result>>,
): Promise<Outcome<result>> {
  const { payment } = context
  if (!engine.idempotency || payment.x402Version !== 2) return pay()
  const id = readPaymentIdentifier(payment.payload)
  if (id === null)
    return badRequest(
      engine,
      context,
      paywallReasons.invalidPaymentIdentifier,
      'The payment identifier must be 16 to 128 characters of A-Z, a-z, 0-9, "_" or "-".',
    )
  if (id === undefined)
    return engine.idempotencyRequired
      ? badRequest(
          engine,
          context,
          paywallReasons.paymentIdentifierRequired,
          'This resource requires a payment identifier (the payment-identifier extension).',
        )
      : pay()
  // A call with the same identifier still running is waited for, then replayed.
  for (let attempt = 0; attempt < 3; attempt++) {
    const slot = await engine.idempotency.claim(id, payment.payload)
    if (slot.kind === 'conflict')
      return refuse(engine, context, {
        stage: 'idempotency',
        failure: 'idempotency_conflict',
        reason: paywallReasons.paymentIdentifierConflict,
        message: 'This payment identifier was already used with a different payment.',
        event: context.base,
      })
    if (slot.kind === 'replay') return replayed(engine, slot.response as KeptAnswer)
    if (slot.kind === 'wait') {
      await slot.done
      continue
    }
    return runOnce(engine, context, slot, pay)
  }
  return pay()
}

function badRequest<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  reason: string,
  message: string,
): Outcome<result> {
  return refuse(engine, context, { stage: 'idempotency', failure: 'bad_request', reason, message })
}

/** Runs the paid call for a new identifier and keeps its answer when it was served. */
async function runOnce<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  slot: Extract<IdempotencySlot, { kind: 'new' }>,
  pay: () => Promise<Outcome<result>>,
): Promise<Outcome<result>> {
  let outcome: Outcome<result> | undefined
  try {
    outcome = await pay()
    return outcome
  } finally {
    await bestEffort(engine, context, 'keep an answer', () =>
      slot.complete(outcome?.kind === 'served' ? keepAnswer(engine, outcome) : undefined),
    )
  }
}

function keepAnswer<request, result>(
  engine: Engine<request, result>,
  { result, settlement, x402Version }: Extract<Outcome<result>, { kind: 'served' }>,
): KeptAnswer {
  return { result: engine.codec.keep(result), settlement, x402Version }
}

function replayed<request, result>(
  engine: Engine<request, result>,
  kept: KeptAnswer,
): Outcome<result> {
  return {
    kind: 'replayed',
    result: engine.codec.restore(kept.result),
    settlement: kept.settlement,
    x402Version: kept.x402Version,
  }
}
