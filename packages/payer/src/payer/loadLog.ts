import type { Asset } from '@tollgate/evm'
import type { PolicyEngine } from '../policy/policyState.js'
import { latestByPurchase } from '../receipts/listPurchases.js'
import type { Receipt } from '../receipts/receipt.js'
import { purchaseOf } from '../receipts/receipt.js'
import type { ReceiptLog } from '../receipts/receiptLog.js'
import type { PurchaseBook } from './book.js'
import { heldPaymentOf } from './heldPayment.js'

/** The parameters of `createLogLoader`. */
export type CreateLogLoaderParameters = {
  readonly receipts: ReceiptLog | undefined
  readonly book: PurchaseBook
  readonly policy: PolicyEngine
  readonly registry: readonly Asset[]
}

/** Reads a receipt log into a payer, once. */
export type LogLoader = {
  /**
   * Reads the log on the first call (again after a failed read): its purchases are resumed, the
   * money of its indeterminate ones is held again (it may be gone), even past a budget's limit,
   * and its settled payments count again in the budget windows they still fall in. Resolves with
   * the latest record of each purchase the log held when it was read.
   */
  load(): Promise<readonly Receipt[]>
  /** Whether a read has begun (or succeeded). */
  readonly started: boolean
}

/** Creates the loader of a payer's receipt log. */
export function createLogLoader({
  receipts,
  book,
  policy,
  registry,
}: CreateLogLoaderParameters): LogLoader {
  let loaded: Promise<readonly Receipt[]> | undefined
  async function read(): Promise<readonly Receipt[]> {
    if (!receipts) return []
    const latest = latestByPurchase(await receipts.list())
    for (const receipt of latest) resume({ book, policy, registry }, receipt)
    return latest
  }
  return {
    load() {
      loaded ??= read().catch((error: unknown) => {
        loaded = undefined
        throw error
      })
      return loaded
    },
    get started() {
      return loaded !== undefined
    },
  }
}

/** Takes one purchase of the log in: its budgets first, then the book. */
function resume(
  { book, policy, registry }: Omit<CreateLogLoaderParameters, 'receipts'>,
  receipt: Receipt,
): void {
  const payment = heldPaymentOf(receipt, registry)
  // Budgets come back by themselves: a settled payment counts from when it was known settled
  // (its reconciliation, else when it was sent), once per receipt id however many payers load it.
  if (receipt.status === 'settled')
    policy.restore(payment, { id: receipt.id, at: receipt.reconciled?.at ?? receipt.at })
  if (book.get(purchaseOf(receipt))) return
  book.resume(
    receipt,
    receipt.status === 'indeterminate' ? policy.hold(payment, receipt.id) : undefined,
  )
}
