import { paymentIdSchema } from '@tollgate/core'
import { sha256, stringToBytes } from 'viem'
import { InvalidPurchaseError } from '../errors/request.js'

/** Names a paid request as one purchase, in the wrapped fetch's `init.purchase`. */
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

/** What the wrapped fetch accepts in `init` besides the fetch options. */
export type PurchaseInit = {
  /** Makes the request one purchase (see `docs/agents/purchases.md`). */
  purchase?: PurchaseOptions | undefined
}

/** A request's purchase identity. */
export type PurchaseIdentity = {
  /** The purchase id, as the receipt log stores it. */
  readonly id: string
  /** The id for the `payment-identifier` extension, valid for its schema. */
  readonly paymentId: string
  /** Where the identity came from. */
  readonly source: 'purchase.id' | 'purchase.paymentId' | 'idempotency-key'
}

/**
 * The purchase a request is, if it is one. Precedence: `init.purchase.id`, then
 * `init.purchase.paymentId`, then an `Idempotency-Key` header. Throws `InvalidPurchaseError` for
 * an empty id or a `paymentId` the extension's schema refuses.
 */
export function readPurchaseIdentity(
  purchase: PurchaseOptions | undefined,
  headers: Headers,
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
  const key = headers.get('idempotency-key')
  if (key === null || key.trim() === '') return undefined
  // The IETF draft sends the key as a structured-field string: `"abc"`; a bare token is accepted.
  const id = key.trim().replace(/^"(.*)"$/, '$1')
  return { id, paymentId: toPaymentId(id), source: 'idempotency-key' }
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
