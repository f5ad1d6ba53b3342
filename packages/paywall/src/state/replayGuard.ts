import type { ExactEvmPayload } from '@tollgate/core'

/**
 * The authorizations this process has accepted, so one signed payment serves one request: a
 * header sent twice, or fifty times in parallel, reaches the handler and the chain once.
 *
 * An entry lives until the authorization's `validBefore`: after that no facilitator can settle it,
 * so a replay fails verification on its own. Entries are pruned lazily on insertion (no timers).
 */
export type ReplayGuard = {
  /** Whether the authorization is already taken. */
  has(key: string): boolean
  /** Takes the authorization until `expiresAtMs` (ms since the epoch); `false` when it is taken. */
  reserve(key: string, expiresAtMs: number): boolean
  /** Gives the authorization back (the handler failed, nothing was charged). */
  release(key: string): void
  readonly size: number
}

/** The key of an authorization: chain, token, payer and nonce, as the on-chain nonce is scoped. */
export function authorizationKey(
  requirement: { network: string; asset: string },
  { authorization }: ExactEvmPayload,
): string {
  return [
    requirement.network,
    requirement.asset.toLowerCase(),
    authorization.from.toLowerCase(),
    authorization.nonce.toLowerCase(),
  ].join('|')
}

/**
 * When an authorization stops being settleable, in milliseconds since the epoch: its
 * `validBefore` (unix seconds, the EIP-3009 edge) on the paywall's millisecond clock.
 */
export function validBeforeMs({ authorization }: ExactEvmPayload): number {
  // A uint256 of seconds is far beyond any clock; as a (huge, finite) number it still compares.
  return Number(BigInt(authorization.validBefore)) * 1000
}

/** An in-process replay guard. */
export function createReplayGuard({
  now = Date.now,
}: {
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
} = {}): ReplayGuard {
  const entries = new Map<string, number>()
  let nextPruneAt = 1024

  function prune() {
    const current = now()
    for (const [key, expiresAtMs] of entries) if (expiresAtMs <= current) entries.delete(key)
    // Prune again when the map has doubled since: amortised O(1) per insertion.
    nextPruneAt = Math.max(1024, entries.size * 2)
  }

  return {
    has(key) {
      const expiresAtMs = entries.get(key)
      if (expiresAtMs === undefined) return false
      if (expiresAtMs > now()) return true
      entries.delete(key)
      return false
    },
    reserve(key, expiresAtMs) {
      if (this.has(key)) return false
      if (entries.size >= nextPruneAt) prune()
      entries.set(key, expiresAtMs)
      return true
    },
    release(key) {
      entries.delete(key)
    },
    get size() {
      return entries.size
    },
  }
}
