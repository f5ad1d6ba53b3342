import type { Reservation } from '../policy/budget.js'
import type { Receipt } from '../receipts/receipt.js'
import { purchaseOf } from '../receipts/receipt.js'

/** What the payer knows of a purchase: its latest record and the money held for it. */
export type BookEntry = {
  receipt: Receipt
  /** Held while the purchase is indeterminate (and while a payment of it is in flight). */
  reservation: Reservation | undefined
}

/**
 * The purchases a payer knows: every named one, and the unnamed calls whose payment may still be
 * spent. Keyed by purchase id (an unnamed call's is its receipt's `id`).
 */
export type PurchaseBook = {
  get(id: string): BookEntry | undefined
  /** Opens a purchase's entry (a write-ahead record before its payment is sent). */
  open(id: string, entry: BookEntry): void
  /** Takes in a purchase read from a receipt log, unless the book knows it already. */
  resume(receipt: Receipt, reservation: Reservation | undefined): boolean
  /**
   * Applies a purchase's new record: money stays held only while it is indeterminate, and an
   * unnamed call is forgotten once settled or refused (nothing about it can change any more).
   */
  write(receipt: Receipt, reservation?: Reservation | undefined): void
  /** The ids of the purchases whose outcome is not known. */
  indeterminate(): string[]
  /** The latest record of every purchase in the book. */
  receipts(): Receipt[]
}

/** Creates an empty purchase book. */
export function createPurchaseBook(): PurchaseBook {
  const entries = new Map<string, BookEntry>()
  return {
    get: (id) => entries.get(id),
    open(id, entry) {
      entries.set(id, entry)
    },
    resume(receipt, reservation) {
      const id = purchaseOf(receipt)
      if (entries.has(id)) return false
      entries.set(id, { receipt, reservation })
      return true
    },
    write(receipt, reservation) {
      const id = purchaseOf(receipt)
      const held =
        receipt.status === 'indeterminate'
          ? (reservation ?? entries.get(id)?.reservation)
          : undefined
      if (receipt.purchase !== undefined || receipt.status === 'indeterminate')
        entries.set(id, { receipt, reservation: held })
      else entries.delete(id)
    },
    indeterminate: () =>
      [...entries]
        .filter(([, entry]) => entry.receipt.status === 'indeterminate')
        .map(([id]) => id),
    receipts: () => [...entries.values()].map((entry) => entry.receipt),
  }
}
