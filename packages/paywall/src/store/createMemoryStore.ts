import type { PaywallStore } from './types.js'

/** Parameters of {@link createMemoryStore}. */
export type CreateMemoryStoreParameters = {
  /** The clock that expires entries, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
}

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
}: CreateMemoryStoreParameters = {}): PaywallStore {
  const entries = new Map<string, { value: string; expiresAt: number }>()
  let pruneAt = 1024

  function read(key: string): string | undefined {
    const entry = entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt > now()) return entry.value
    entries.delete(key)
    return undefined
  }

  function write(key: string, value: string, ttlMs: number): void {
    if (entries.size >= pruneAt) {
      const current = now()
      for (const [name, entry] of entries) if (entry.expiresAt <= current) entries.delete(name)
      // Prune again when the map has doubled since: amortised O(1) per write.
      pruneAt = Math.max(1024, entries.size * 2)
    }
    entries.set(key, { value, expiresAt: now() + ttlMs })
  }

  return {
    async claim(key, value, ttlMs) {
      if (read(key) !== undefined) return false
      write(key, value, ttlMs)
      return true
    },
    async get(key) {
      return read(key)
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs)
    },
    async delete(key, expected) {
      const value = read(key)
      if (value === undefined || (expected !== undefined && value !== expected)) return false
      entries.delete(key)
      return true
    },
  }
}
