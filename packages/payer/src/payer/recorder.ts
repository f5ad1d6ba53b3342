import type { DiagnosticChannels } from '../diagnostics.js'
import { publish } from '../diagnostics.js'
import type { Reservation } from '../policy/budget.js'
import type { Receipt } from '../receipts/receipt.js'
import type { ReceiptLog } from '../receipts/receiptLog.js'
import type { PurchaseBook } from './book.js'

/** The parameters of `createRecorder`. */
export type CreateRecorderParameters = {
  readonly book: PurchaseBook
  readonly receipts: ReceiptLog | undefined
  readonly onReceipt: ((receipt: Receipt) => void | Promise<void>) | undefined
  readonly channels: DiagnosticChannels
}

/**
 * Creates the function that records a purchase's new state: in the book first (what the next call
 * sees), then on the `receipt` (and `dispute`) channels, the receipt log and `onReceipt`. A log or
 * hook that fails is published on the `error` channel and never thrown: the caller keeps the
 * answer it paid for.
 */
export function createRecorder({ book, receipts, onReceipt, channels }: CreateRecorderParameters) {
  return async function record(
    receipt: Receipt,
    reservation?: Reservation | undefined,
  ): Promise<void> {
    book.write(receipt, reservation)
    publish(channels.receipt, { receipt })
    if (receipt.disputed) publish(channels.dispute, { receipt })
    try {
      await receipts?.append(receipt)
    } catch (error) {
      publish(channels.error, { error, receipt, stage: 'receipt-log' })
    }
    try {
      await onReceipt?.(receipt)
    } catch (error) {
      publish(channels.error, { error, receipt, stage: 'on-receipt' })
    }
  }
}
