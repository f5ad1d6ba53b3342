import { reasons } from '@tollgate/core'
import type { Settlement } from '../challenge.js'
import type { DisputeReason, ReceiptStatus } from '../receipts/receipt.js'

/**
 * The status says what the server claims, `disputed` whether the claim leaves the agent exposed:
 * - a successful settlement header: settled (disputed when the answer is an error: nothing was
 *   delivered for the money);
 * - a pending settlement: indeterminate (the transaction may still land);
 * - a 402 with a failed settlement header, or without one: indeterminate on the server's word
 *   alone; the chain decides whether it is `refused` (unspent, or cancelled) or `settled`;
 * - any other answer without a successful settlement: indeterminate.
 * Every paid answer without a successful or pending settlement is disputed: the server holds a
 * signed authorization, spendable until `validBefore`, and shows no settlement for it.
 */
export function outcome(
  status: number,
  settlement: Settlement,
): { status: ReceiptStatus; disputed: DisputeReason | undefined } {
  const response = settlement.present ? settlement.response : undefined
  if (response?.success)
    return { status: 'settled', disputed: status >= 400 ? 'not-delivered' : undefined }
  if (isPending(settlement)) return { status: 'indeterminate', disputed: undefined }
  return {
    status: 'indeterminate',
    disputed: response
      ? 'settlement-failed'
      : settlement.present
        ? 'settlement-unreadable'
        : 'settlement-missing',
  }
}

/** A `settlement_pending` answer: not a refusal, the transfer may land; reconciled later. */
export function isPending(settlement: Settlement): boolean {
  return settlement.present && settlement.response?.errorReason === reasons.settlementPending
}

const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])

/**
 * A fetch error that proves the request never left: the connection was never made (Node's fetch
 * says why in `cause.code`; elsewhere nothing proves it, and the payment may have been sent).
 */
export function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof cause?.code === 'string' && unsentCodes.has(cause.code)
}
