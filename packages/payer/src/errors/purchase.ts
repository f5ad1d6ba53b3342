import { BaseError } from '@tollgate/core'

export type PurchaseIndeterminateErrorType = PurchaseIndeterminateError & {
  name: 'PurchaseIndeterminateError'
}

/**
 * A purchase may have been paid and nothing can tell: its authorization may have been spent, it
 * can no longer be re-sent (expired), and nothing proved it unspent. It is never paid again
 * blindly: reconcile it (`reconcile.chains`) or cancel it first.
 */
export class PurchaseIndeterminateError extends BaseError {
  override name = 'PurchaseIndeterminateError' as const
  readonly purchase: string
  /** Why it cannot be settled either way, in one line. */
  readonly reason: string

  constructor({ purchase, reason }: { purchase: string; reason: string }) {
    super(`Purchase ${purchase} may already be paid; it is not paid again.`, {
      code: 'TOLLGATE_FETCH_PURCHASE_INDETERMINATE',
      docsPath: '/agents/purchases#reconciliation',
      metaMessages: [
        `purchase: ${purchase}`,
        `reason: ${reason}`,
        'Reconcile it through a chain (`reconcile.chains`), or cancel it (`purchases.cancel`).',
      ],
    })
    this.purchase = purchase
    this.reason = reason
  }
}

export type PurchaseNotFoundErrorType = PurchaseNotFoundError & { name: 'PurchaseNotFoundError' }

/** No payment was made for this purchase id (in this process or in the receipt log). */
export class PurchaseNotFoundError extends BaseError {
  override name = 'PurchaseNotFoundError' as const
  readonly purchase: string

  constructor({ purchase }: { purchase: string }) {
    super(`No payment was made for purchase ${purchase}.`, {
      code: 'TOLLGATE_FETCH_PURCHASE_NOT_FOUND',
      docsPath: '/agents/purchases#reading-the-receipt-log',
      metaMessages: [`purchase: ${purchase}`],
    })
    this.purchase = purchase
  }
}

export type InvalidPurchaseErrorType = InvalidPurchaseError & { name: 'InvalidPurchaseError' }

/** `init.purchase` is malformed: an empty `id`, or a `paymentId` the extension's schema refuses. */
export class InvalidPurchaseError extends BaseError {
  override name = 'InvalidPurchaseError' as const
  /** `purchase.id` or `purchase.paymentId`. */
  readonly field: 'purchase.id' | 'purchase.paymentId'
  readonly reason: string

  constructor({ field, reason }: { field: 'purchase.id' | 'purchase.paymentId'; reason: string }) {
    super(`${field} ${reason}.`, {
      code: 'TOLLGATE_FETCH_INVALID_PURCHASE',
      docsPath: '/agents/purchases#purchase-identity',
      metaMessages: [`field: ${field}`],
    })
    this.field = field
    this.reason = reason
  }
}
