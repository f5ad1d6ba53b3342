import { reasons, type SettleResponse } from '@tollgate/core'
import type { Hex, TransactionReceipt } from 'viem'
import { waitForTransactionReceipt } from 'viem/actions'
import type { LocalFacilitatorContext } from './context.js'

/**
 * Waits for `transaction`'s receipt and answers what `decide` makes of it. No receipt within
 * `receiptTimeoutMs`: `settlement_pending` with the hash, which is kept under `key` so settling
 * the same authorization again waits for this transaction instead of sending another.
 */
export async function awaitSettlement(
  context: LocalFacilitatorContext,
  {
    transaction,
    key,
    base,
    decide,
  }: {
    transaction: Hex
    key: string | undefined
    base: Pick<SettleResponse, 'network' | 'payer'>
    decide: (receipt: TransactionReceipt) => SettleResponse
  },
): Promise<SettleResponse> {
  try {
    const receipt = await waitForTransactionReceipt(context.publicClient, {
      hash: transaction,
      timeout: context.receiptTimeoutMs,
    })
    if (key) context.pending.delete(key)
    return decide(receipt)
  } catch {
    if (key) context.pending.set(key, transaction)
    return { success: false, errorReason: reasons.settlementPending, transaction, ...base }
  }
}
