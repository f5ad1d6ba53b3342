import type { PurchaseIdentity, PurchaseOptions } from '@tollgate/payer'
import { resolvePurchase, toPaymentId } from '@tollgate/payer'

/** What the wrapped fetch accepts in `init` besides the fetch options. */
export type PurchaseInit = {
  /** Makes the request one purchase (see `docs/agents/purchases.md`). */
  purchase?: PurchaseOptions | undefined
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
  const named = resolvePurchase(purchase)
  if (named) return named
  const key = headers.get('idempotency-key')
  if (key === null || key.trim() === '') return undefined
  // The IETF draft sends the key as a structured-field string: `"abc"`; a bare token is accepted.
  const id = key.trim().replace(/^"(.*)"$/, '$1')
  return { id, paymentId: toPaymentId(id), source: 'idempotency-key' }
}
