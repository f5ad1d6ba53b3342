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
  /** Takes the authorization until `expiresAt` (unix seconds); `false` when it is already taken. */
  reserve(key: string, expiresAt: bigint): boolean
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

/** An in-process replay guard. */
export function createReplayGuard({
  now = () => BigInt(Math.floor(Date.now() / 1000)),
}: {
  /** Unix seconds. @default the wall clock */
  now?: (() => bigint) | undefined
} = {}): ReplayGuard {
  const entries = new Map<string, bigint>()
  let nextPruneAt = 1024

  function prune() {
    const current = now()
    for (const [key, expiresAt] of entries) if (expiresAt <= current) entries.delete(key)
    // Prune again when the map has doubled since: amortised O(1) per insertion.
    nextPruneAt = Math.max(1024, entries.size * 2)
  }

  return {
    has(key) {
      const expiresAt = entries.get(key)
      if (expiresAt === undefined) return false
      if (expiresAt > now()) return true
      entries.delete(key)
      return false
    },
    reserve(key, expiresAt) {
      if (this.has(key)) return false
      if (entries.size >= nextPruneAt) prune()
      entries.set(key, expiresAt)
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
