import { isPending, outcome } from '../payment/outcome.js'
import type { AuthorizationFinding } from '../purchases/inspectAuthorization.js'
import type { Receipt } from '../receipts/receipt.js'
import type { Answer, AttemptState } from './attempt.js'
import type { PayerContext } from './context.js'

/** Findings that prove an authorization was not charged (and, but for `unspent-valid`, never will be). */
const refusedFindings = new Set<AuthorizationFinding['finding']>([
  'unspent-valid',
  'unspent-expired',
  'cancelled',
])

type Judgement = Pick<Receipt, 'status' | 'disputed' | 'transaction' | 'reconciled'>

/**
 * What an answer proves about a payment. A refusal (a 402, or a 412) is believed only when the chain shows
 * the authorization unspent (or cancelled: it can then never be spent); a purchase paid before
 * stays paid whatever the answer says.
 */
async function judge(
  ctx: PayerContext,
  { base, wasSettled, onRefusal }: AttemptState,
  { status: responseStatus, settlement }: Answer,
): Promise<Judgement> {
  let { status, disputed } = outcome(responseStatus, settlement)
  let transaction = settlement.present ? settlement.response?.transaction || undefined : undefined
  if (responseStatus === 402) onRefusal?.()
  // Paid before: a 402 (or any answer) to the same authorization does not unpay it.
  if (wasSettled && status !== 'settled')
    return {
      status: 'settled',
      disputed: responseStatus >= 400 ? 'not-delivered' : undefined,
      transaction: base.transaction,
      reconciled: undefined,
    }
  // 412: a Permit2 payment refused before settling (`permit2_allowance_required`), as a 402 is.
  const refusal = responseStatus === 402 || responseStatus === 412
  if (!refusal || status === 'settled' || isPending(settlement))
    return { status, disputed, transaction, reconciled: undefined }
  const finding = await ctx.inspect({ ...base, status, disputed, transaction })
  if (finding?.finding === 'spent') {
    status = 'settled'
    disputed = 'not-delivered'
    transaction = finding.transaction ?? transaction
  } else if (finding && refusedFindings.has(finding.finding)) status = 'refused'
  const reconciled = finding && { by: finding.by, finding: finding.finding, at: ctx.now() }
  return { status, disputed, transaction, reconciled }
}

/**
 * What a settled payment cost: for `upto`, the amount the settlement reports charging (at most the
 * maximum signed, which `base.amount` holds); otherwise, and when the settlement says nothing
 * usable, the whole amount.
 */
function chargedAmount(
  base: Receipt,
  settlement: { amount?: string | null | undefined } | undefined,
) {
  if (base.accepted.scheme !== 'upto') return base.amount
  const reported = settlement?.amount
  if (typeof reported !== 'string' || !/^\d{1,78}$/.test(reported)) return base.amount
  const amount = BigInt(reported)
  return amount <= base.amount ? amount : base.amount
}

/** Records an answer: the money is committed (settled), given back (refused) or kept held. */
export async function recordAnswer(
  ctx: PayerContext,
  state: AttemptState,
  answer: Answer,
): Promise<Receipt> {
  const { base, reservation, wasSettled } = state
  const { status, disputed, transaction, reconciled } = await judge(ctx, state, answer)
  const settled = answer.settlement.present ? answer.settlement.response : undefined
  const charged = status === 'settled' ? chargedAmount(base, settled) : base.amount
  if (status === 'settled') reservation.commit(charged)
  else if (status === 'refused') reservation.release()
  // An indeterminate payment keeps its reservation: it may have been spent.
  const receipt: Receipt = {
    ...base,
    amount: charged,
    ...(reconciled ? { reconciled } : {}),
    settlement: settled ?? (wasSettled ? base.settlement : undefined),
    transaction,
    status,
    disputed,
    responseStatus: answer.status,
  }
  const changed =
    !wasSettled ||
    receipt.responseStatus !== base.responseStatus ||
    receipt.disputed !== base.disputed
  if (changed) await ctx.record(receipt, reservation)
  return receipt
}

/** Records a payment sent without an answer: it may have been spent, its money stays held. */
export async function recordLost(ctx: PayerContext, state: AttemptState): Promise<Receipt> {
  // A purchase settled before stays settled: nothing new to record.
  if (state.wasSettled) return state.base
  const receipt: Receipt = {
    ...state.base,
    status: 'indeterminate',
    disputed: 'no-response',
    responseStatus: undefined,
  }
  await ctx.record(receipt, state.reservation)
  return receipt
}

/**
 * Records a payment that never left. A new one is then `refused` and its money given back. A
 * re-sent one proves only that this send never left, not the sends before it: its purchase stays
 * as it was, and only the money this attempt held again goes back.
 */
export async function recordNotSent(ctx: PayerContext, state: AttemptState): Promise<Receipt> {
  const { base, reservation, resend } = state
  if (resend) {
    if (resend.heldNow) {
      reservation.release()
      resend.entry.reservation = undefined
    }
    return base
  }
  reservation.release()
  const receipt: Receipt = {
    ...base,
    status: 'refused',
    disputed: undefined,
    responseStatus: undefined,
  }
  await ctx.record(receipt, reservation)
  return receipt
}
