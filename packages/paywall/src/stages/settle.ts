import { isSettlementPending, type PaymentRequirements, type SettleResponse } from '@tollgate/core'
import { bestEffort, refuse } from '../engine/answer.js'
import type { Engine, PaymentContext } from '../engine/context.js'
import type { Held, Outcome } from '../engine/types.js'
import { facilitatorFailureReason } from '../failures.js'
import { findAsset } from '../offer/assets.js'
import { resolveCharge } from '../offer/charge.js'
import { authorizationKey } from '../payment/authorization.js'
import { paywallReasons } from '../reasons.js'
import { facilitatorRequest, reportFacilitatorFailure, settlePayment } from './facilitate.js'

/** What is settled: the requirement verified, the payer, and the work's result if it ran first. */
export type Settling<result> = {
  requirements: PaymentRequirements
  payer: string
  held?: Held<result> | undefined
}

/**
 * Settles (one retry on `settlement_pending`, in the offer's mode). On anything but success it
 * returns the refusal: the held result (serve-first) is withheld, and kept when the outcome is
 * pending or unknown, so that re-sending this payment delivers it once it settles.
 */
export async function settle<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  settling: Settling<result>,
): Promise<{ settlement: SettleResponse } | { outcome: Outcome<result> }> {
  const { requirements } = settling
  const charged = chargeOf(engine, context, settling)
  // `upto` with nothing used: nothing to transfer, and no transaction; the signature lapses unused
  // (its claim stays, so it buys nothing else here).
  if (charged === 0n)
    return {
      settlement: {
        success: true,
        transaction: '',
        network: requirements.network,
        payer: settling.payer,
        amount: '0',
      },
    }
  const settled =
    charged === undefined ? requirements : { ...requirements, amount: charged.toString() }
  let settlement: SettleResponse
  try {
    const mode = await engine.modes.modeFor(context.call.offer, requirements.network)
    settlement = await settlePayment(engine.facilitator, facilitatorRequest(context, settled), mode)
  } catch (error) {
    return { outcome: await settleThrew(engine, context, settling, error) }
  }
  if (settlement.success)
    return {
      settlement:
        charged === undefined || settlement.amount !== undefined
          ? settlement
          : { ...settlement, amount: charged.toString() },
    }
  return { outcome: await settleFailed(engine, context, settling, settlement) }
}

/**
 * What an `upto` payment is charged: the usage the work reported, never above the signed maximum
 * (`requirements.amount`); `undefined` for `exact`, which charges the requirement.
 */
function chargeOf<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, held }: Settling<result>,
): bigint | undefined {
  if (requirements.scheme !== 'upto') return undefined
  const decimals = findAsset(requirements.network, requirements.asset, engine.assets)?.decimals
  const charge = resolveCharge(held?.charge, { max: BigInt(requirements.amount), decimals })
  if (charge.source === 'capped' || charge.source === 'unreadable')
    engine.report('warn', `the reported usage is ${charge.source}: charging the maximum`, {
      route: context.route,
      reported: held?.charge,
      max: requirements.amount,
    })
  return charge.amount
}

/**
 * Whether the transfer happened is unknown: the claim stays, so this authorization is never
 * served for another call, and the result is not sent now; it is kept, as for a pending
 * settlement, for the same payment sent again.
 */
async function settleThrew<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, payer, held }: Settling<result>,
  error: unknown,
): Promise<Outcome<result>> {
  if (held) await keepPending(engine, context, requirements, held)
  const failure = reportFacilitatorFailure(engine, context, 'settle', error)
  const reason = facilitatorFailureReason('settle')
  const unknown = {
    success: false,
    errorReason: reason,
    transaction: '',
    network: requirements.network,
    payer,
  } as SettleResponse
  return refuse(engine, context, {
    stage: 'settle',
    failure,
    reason,
    message: 'The payment facilitator failed while settling; the response is withheld.',
    event: { ...context.base, requirements, error },
    settlement: unknown,
  })
}

/** The facilitator answered a failure, or `settlement_pending` twice. */
async function settleFailed<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  { requirements, payer, held }: Settling<result>,
  settlement: SettleResponse,
): Promise<Outcome<result>> {
  const pending = isSettlementPending(settlement)
  engine.report('warn', pending ? 'a settlement is still pending' : 'a settlement failed', {
    route: context.route,
    network: requirements.network,
    payer,
    reason: settlement.errorReason,
    transaction: settlement.transaction,
    message: settlement.errorMessage,
  })
  const key = authorizationKey(requirements, context.payment.authorization)
  if (pending && held) await keepPending(engine, context, requirements, held)
  // A definite failure: nothing is left to finish.
  else if (!pending)
    await bestEffort(engine, context, 'forget a failed payment', () => engine.kept.delete(key))
  return refuse(engine, context, {
    stage: 'settle',
    failure: 'settlement_failed',
    reason: settlement.errorReason ?? paywallReasons.unexpectedSettleError,
    message: pending
      ? 'The payment is not settled yet; send the same payment again to receive the response once it is.'
      : (settlement.errorMessage ?? 'The payment could not be settled; the response is withheld.'),
    event: { ...context.base, requirements, settlement },
    settlement,
    pending,
  })
}

/** Keeps a held result whose settlement outcome is not known yet. */
async function keepPending<request, result>(
  engine: Engine<request, result>,
  context: PaymentContext<request, result>,
  requirements: PaymentRequirements,
  held: Held<result>,
): Promise<void> {
  const { authorization } = context.payment
  await bestEffort(engine, context, 'keep a pending result', () =>
    engine.kept.set(authorizationKey(requirements, authorization), {
      kind: 'pending',
      signature: authorization.signature,
      requirements,
      result: engine.codec.keep(held.result),
    }),
  )
}
