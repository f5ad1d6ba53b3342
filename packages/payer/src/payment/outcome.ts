import { reasons } from '@tollgate/core'
import type { DisputeReason, ReceiptStatus } from '../receipts/receipt.js'
import type { SettlementReading } from './settlementReading.js'

/**
 * What an answer to a payment says, from its status (HTTP, or the transport's equivalent) and its
 * settlement. The status says what the server claims, `disputed` whether the claim leaves the agent
 * exposed:
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
  settlement: SettlementReading,
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
export function isPending(settlement: SettlementReading): boolean {
  return settlement.present && settlement.response?.errorReason === reasons.settlementPending
}
