import type { PaywallStore } from './types.js'

/** Parameters of {@link createMemoryStore}. */
export type CreateMemoryStoreParameters = {
  /** The clock that expires entries, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
  /**
   * The most entries written by `set` (kept results, answers kept for a payment identifier) held
   * at once; the oldest go first. Entries written by `claim` (taken authorizations, locks) are
   * never evicted: they are bounded by their time to live, and evicting one could let a payment
   * be served twice. @default 10_000
   */
  maxEntries?: number | undefined
}

type Entry = { value: string; expiresAt: number }

/**
 * A store in this process's memory: what one process can promise (one handler run per payment,
 * replays of a payment identifier) it promises; what needs several processes or a restart to share
 * it does not (use `createRedisStore`). Entries expire by the clock, checked when read; expired ones
 * are pruned as the map grows, so no timer keeps the process alive.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from '@tollgate/paywall'
 * const store = createMemoryStore()
 * ```
 */
export function createMemoryStore({
  now = Date.now,
  maxEntries = 10_000,
}: CreateMemoryStoreParameters = {}): PaywallStore {
  const entries = new Map<string, Entry>()
  // Keys written by `set`, oldest first: the ones `maxEntries` may evict.
  const evictable = new Set<string>()
  let pruneAt = 1024

  function remove(key: string): void {
    entries.delete(key)
    evictable.delete(key)
  }

  function read(key: string): string | undefined {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt > now()) return entry.value
    remove(key)
    return undefined
  }

  function prune(): void {
    const current = now()
    for (const [name, entry] of entries) if (entry.expiresAt <= current) remove(name)
    // Prune again when the map has doubled since: amortised O(1) per write.
    pruneAt = Math.max(1024, entries.size * 2)
  }

  function write(key: string, value: string, ttlMs: number, canEvict: boolean): void {
    if (entries.size >= pruneAt) prune()
    remove(key)
    entries.set(key, { value, expiresAt: now() + ttlMs })
    if (!canEvict) return
    evictable.add(key)
    if (evictable.size > maxEntries) {
      const oldest = evictable.values().next()
      if (!oldest.done) remove(oldest.value)
    }
  }

  return {
    async claim(key, value, ttlMs) {
      if (read(key) !== undefined) return false
      write(key, value, ttlMs, false)
      return true
    },
    async get(key) {
      return read(key)
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs, true)
    },
    async delete(key, expected) {
      const value = read(key)
      if (value === undefined || (expected !== undefined && value !== expected)) return false
      remove(key)
      return true
    },
  }
}
