import { paymentIdSchema } from '@tollgate/core'
import { sha256, stringToBytes } from 'viem'
import { InvalidPurchaseError } from '../errors/purchase.js'

/** Names a paid call as one purchase (the wrapped fetch's `init.purchase`). */
export type PurchaseOptions = {
  /**
   * The purchase: every call with this id is a retry of the same purchase and re-sends the same
   * signed authorization. Unique across the receipt log.
   */
  id?: string | undefined
  /**
   * The `payment-identifier` to send when the server declares the extension (16-128 characters of
   * `A-Z a-z 0-9 _ -`). Without `id`, it is also the purchase id.
   * @default derived from the purchase id
   */
  paymentId?: string | undefined
}

/** A call's purchase identity: every call with the same `id` is one purchase, paid once. */
export type PurchaseIdentity = {
  /** The purchase id, as the receipt log stores it. */
  readonly id: string
  /** The id for the `payment-identifier` extension, valid for its schema. */
  readonly paymentId: string
  /**
   * Where the identity came from: `purchase.id`, `purchase.paymentId`, or a transport's own
   * (fetch's `idempotency-key` header).
   */
  readonly source: 'purchase.id' | 'purchase.paymentId' | 'idempotency-key'
}

/**
 * The purchase that options name, if they name one: `id` first, then `paymentId`. Throws
 * `InvalidPurchaseError` for an empty id or a `paymentId` the extension's schema refuses.
 */
export function resolvePurchase(
  purchase: PurchaseOptions | undefined,
): PurchaseIdentity | undefined {
  const paymentId = purchase?.paymentId
  if (paymentId !== undefined && !paymentIdSchema.safeParse(paymentId).success)
    throw new InvalidPurchaseError({
      field: 'purchase.paymentId',
      reason: 'must be 16 to 128 characters of A-Z, a-z, 0-9, "_" or "-"',
    })
  if (purchase?.id !== undefined) {
    if (purchase.id === '')
      throw new InvalidPurchaseError({ field: 'purchase.id', reason: 'must not be empty' })
    return {
      id: purchase.id,
      paymentId: paymentId ?? toPaymentId(purchase.id),
      source: 'purchase.id',
    }
  }
  if (paymentId !== undefined) return { id: paymentId, paymentId, source: 'purchase.paymentId' }
  return undefined
}

/**
 * A purchase id as a `payment-identifier`: itself when the extension's schema accepts it,
 * otherwise `tg_` and the hex SHA-256 of it (67 characters). Deterministic, so a restarted
 * agent sends the same identifier.
 */
export function toPaymentId(id: string): string {
  if (paymentIdSchema.safeParse(id).success) return id
  return `tg_${sha256(stringToBytes(id)).slice(2)}`
}
