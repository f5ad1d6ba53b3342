import type { PaymentRequirements, SettleResponse } from '@tollgate/core'
import type { PaywallStore } from '../store/types.js'
import { ownerToken } from './checkedStore.js'

/**
 * A payment the paywall accepted whose purchase is not finished, so that re-sending the same
 * signed payment finishes it instead of failing as a replay or paying twice:
 * - `pending` (serve-first): the work ran, the facilitator answered `settlement_pending` twice (or
 *   failed while settling); its result is kept and goes out once a later settle call of the same
 *   payment succeeds.
 * - `paid` (settle-first): the transfer settled but the work failed; the same payment runs it
 *   again, without a second settlement, until one result succeeds.
 */
export type KeptPayment =
  | {
      kind: 'pending'
      /** The payment's signature: only the same signed payment may finish it. */
      signature: string
      requirements: PaymentRequirements
      /** The work's result, as the transport's codec keeps it (without the settlement). */
      result: unknown
    }
  | {
      kind: 'paid'
      signature: string
      requirements: PaymentRequirements
      settlement: SettleResponse
    }

/** A key taken by one call at a time. */
export type KeptLock = { key: string; owner: string }

/** Kept payments by authorization key, and the locks that finish each one call at a time. */
export type KeptPayments = {
  /** The entry of an authorization key, unless it expired. */
  get(key: string): Promise<KeptPayment | undefined>
  set(key: string, payment: KeptPayment): Promise<void>
  delete(key: string): Promise<void>
  /** Takes the key for one call at a time; `undefined` when another call holds it. */
  lock(key: string): Promise<KeptLock | undefined>
  unlock(lock: KeptLock): Promise<void>
}

/** How long a lock outlives a call that died holding it. */
const lockMs = 300_000

/**
 * Kept payments over a store (`kept:<authorization key>`, `lock:<authorization key>`), each kept
 * `ttlSeconds` after it was stored. One that expired (or that a memory store evicted) can no
 * longer be finished by a re-send, which then fails as a replay: never a second payment.
 */
export function createKeptPayments({
  store,
  ttlSeconds = 3600,
}: {
  store: PaywallStore
  ttlSeconds?: number | undefined
}): KeptPayments {
  return {
    async get(key) {
      return parseKept(await store.get(`kept:${key}`))
    },
    async set(key, payment) {
      await store.set(`kept:${key}`, JSON.stringify(payment), Math.ceil(ttlSeconds * 1000))
    },
    async delete(key) {
      await store.delete(`kept:${key}`)
    },
    async lock(key) {
      const owner = ownerToken()
      return (await store.claim(`lock:${key}`, owner, lockMs)) ? { key, owner } : undefined
    },
    async unlock({ key, owner }) {
      await store.delete(`lock:${key}`, owner)
    },
  }
}

/** A kept payment read back; one that does not parse (another version wrote it) is none. */
function parseKept(value: string | undefined): KeptPayment | undefined {
  if (value === undefined) return undefined
  try {
    const payment = JSON.parse(value) as KeptPayment
    return typeof payment?.signature === 'string' ? payment : undefined
  } catch {
    return undefined
  }
}
