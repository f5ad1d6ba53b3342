import type { Receipt } from './receipt.js'

/** Where receipts go. Append-only: a receipt is never rewritten, a later one may supersede it. */
export type ReceiptLog = {
  append(receipt: Receipt): Promise<void>
  /** Every receipt appended, oldest first. */
  list(): Promise<Receipt[]>
}

/** Keeps receipts in memory, for tests and short-lived agents. */
export function createMemoryReceiptLog(): ReceiptLog {
  const receipts: Receipt[] = []
  return {
    async append(receipt) {
      receipts.push(receipt)
    },
    async list() {
      return [...receipts]
    },
  }
}
