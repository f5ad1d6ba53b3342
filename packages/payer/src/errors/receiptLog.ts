import { BaseError } from '@tollgate/core'

export type InvalidReceiptLogErrorType = InvalidReceiptLogError & { name: 'InvalidReceiptLogError' }

/**
 * A line of a receipt log file, before its last one, is not a receipt: the file was edited or
 * damaged (a crash only ever cuts the last line, which is repaired when the log is opened).
 */
export class InvalidReceiptLogError extends BaseError {
  override name = 'InvalidReceiptLogError' as const
  readonly path: string
  readonly line: number

  constructor({ path, line, cause }: { path: string; line: number; cause: unknown }) {
    super(`Line ${line} of the receipt log is not a receipt.`, {
      code: 'TOLLGATE_FETCH_INVALID_RECEIPT_LOG',
      cause,
      docsPath: '/agents/purchases#reading-the-receipt-log',
      metaMessages: [`path: ${path}`, `line: ${line}`],
    })
    this.path = path
    this.line = line
  }
}

export type InvalidReceiptErrorType = InvalidReceiptError & { name: 'InvalidReceiptError' }

/** A receipt cannot be acted on: it lacks what the action needs (an EIP-3009 authorization). */
export class InvalidReceiptError extends BaseError {
  override name = 'InvalidReceiptError' as const
  /** The receipt's `id`. */
  readonly id: string
  readonly reason: string

  constructor({ id, reason }: { id: string; reason: string }) {
    super(`Receipt ${id} cannot be used: ${reason}.`, {
      code: 'TOLLGATE_FETCH_INVALID_RECEIPT',
      metaMessages: [`receipt: ${id}`],
    })
    this.id = id
    this.reason = reason
  }
}
