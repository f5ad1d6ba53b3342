import type { Receipt } from './receipt.js'
import { purchaseOf } from './receipt.js'
import type { ReceiptLog } from './receiptLog.js'

/**
 * Every purchase in a receipt log with its current state: the latest record of each purchase (the
 * log is append-only, a later record supersedes an earlier one), in the order purchases began.
 *
 * @example
 * import { listPurchases } from '@tollgate/payer'
 * import { createFileReceiptLog } from '@tollgate/payer/node'
 *
 * const purchases = await listPurchases(createFileReceiptLog('./receipts.jsonl'))
 * const open = purchases.filter((receipt) => receipt.status === 'indeterminate')
 */
export async function listPurchases(log: Pick<ReceiptLog, 'list'>): Promise<Receipt[]> {
  return latestByPurchase(await log.list())
}

/** The latest record of each purchase among `receipts` (oldest first), in the order they began. */
export function latestByPurchase(receipts: readonly Receipt[]): Receipt[] {
  const latest = new Map<string, Receipt>()
  for (const receipt of receipts) latest.set(purchaseOf(receipt), receipt)
  return [...latest.values()]
}
