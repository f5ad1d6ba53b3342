import type { FacilitatorRequest, PaymentRequirements, SettleResponse } from '@tollgate/core'
import type { PaywallResponse } from './request.js'

/**
 * A payment this process accepted whose purchase is not finished, so that re-sending the same
 * signed payment finishes it instead of failing as a replay or paying twice:
 * - `pending` (serve-first): the handler ran, the facilitator answered `settlement_pending` twice;
 *   the response is kept and goes out once a later settle call of the same payment succeeds.
 * - `paid` (settle-first): the transfer settled but the handler failed; the same payment runs the
 *   handler again, without a second settlement, until one response succeeds.
 */
export type OutstandingPayment =
  | {
      kind: 'pending'
      /** The payment's signature: only the same signed payment may finish it. */
      signature: string
      requirements: PaymentRequirements
      request: FacilitatorRequest
      /** The handler's response, without `PAYMENT-RESPONSE`. */
      response: PaywallResponse
    }
  | {
      kind: 'paid'
      signature: string
      requirements: PaymentRequirements
      settlement: SettleResponse
    }

export type OutstandingPayments = {
  /** The entry of an authorization key, unless it expired. */
  get(key: string): OutstandingPayment | undefined
  set(key: string, payment: OutstandingPayment): void
  delete(key: string): void
  /** Takes the key for one request at a time; `false` when another request holds it. */
  lock(key: string): boolean
  unlock(key: string): void
}

/**
 * An in-process store of outstanding payments by authorization key, each kept `ttlSeconds` after
 * it was stored and at most `maxEntries` of them (the oldest go first; an evicted purchase can no
 * longer be finished by a re-send, which then fails as a replay: never a second payment).
 */
export function createOutstandingPayments({
  ttlSeconds = 3600,
  maxEntries = 10_000,
  now = Date.now,
}: {
  ttlSeconds?: number | undefined
  maxEntries?: number | undefined
  now?: (() => number) | undefined
} = {}): OutstandingPayments {
  const entries = new Map<string, { payment: OutstandingPayment; expiresAt: number }>()
  const locks = new Set<string>()
  return {
    get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expiresAt > now()) return entry.payment
      entries.delete(key)
      return undefined
    },
    set(key, payment) {
      entries.delete(key)
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (!oldest.done) entries.delete(oldest.value)
      }
      entries.set(key, { payment, expiresAt: now() + ttlSeconds * 1000 })
    },
    delete(key) {
      entries.delete(key)
    },
    lock(key) {
      if (locks.has(key)) return false
      locks.add(key)
      return true
    },
    unlock(key) {
      locks.delete(key)
    },
  }
}
