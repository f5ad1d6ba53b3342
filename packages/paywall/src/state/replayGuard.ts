import type { PaywallStore } from '../store/types.js'
import { ownerToken } from './checkedStore.js'

/**
 * The authorizations this paywall has accepted, so one signed payment serves one call: a payment
 * sent twice, or fifty times in parallel, to one process or to several sharing a store, reaches
 * the work and the chain once.
 *
 * A claim lives until the authorization's `validBefore` (at most `maxClaimMs`): after that no
 * facilitator can settle it, so a replay fails verification on its own.
 */
export type ReplayGuard = {
  /** Whether the authorization is already taken. */
  has(key: string): Promise<boolean>
  /** Takes the authorization until `expiresAtMs` (ms since the epoch); `undefined` when taken. */
  claim(key: string, expiresAtMs: number): Promise<GuardClaim | undefined>
  /** Gives the authorization back (the work failed, nothing was charged): only its own claim. */
  release(claim: GuardClaim): Promise<void>
}

/** A taken authorization, released only by the call that took it. */
export type GuardClaim = { key: string; owner: string }

/** A week: an authorization valid for longer is still guarded that long, then by the chain. */
const maxClaimMs = 7 * 24 * 3_600_000

/** A replay guard over a store (`auth:<network>|<asset>|<payer>|<nonce>` keys). */
export function createReplayGuard({
  store,
  now = Date.now,
}: {
  store: PaywallStore
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}): ReplayGuard {
  const keyOf = (key: string) => `auth:${key}`
  return {
    async has(key) {
      return (await store.get(keyOf(key))) !== undefined
    },
    async claim(key, expiresAtMs) {
      const owner = ownerToken()
      // Whole milliseconds (Redis' PX), at least one: an authorization already past its
      // validBefore fails verification anyway.
      const ttlMs = Math.max(1, Math.ceil(Math.min(expiresAtMs - now(), maxClaimMs)))
      return (await store.claim(keyOf(key), owner, ttlMs)) ? { key, owner } : undefined
    },
    async release({ key, owner }) {
      await store.delete(keyOf(key), owner)
    },
  }
}
