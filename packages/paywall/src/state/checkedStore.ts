import { PaywallStoreError } from '../errors.js'
import type { PaywallStore } from '../store/types.js'

/**
 * The paywall's store with one failure type: whatever a store throws or rejects with (a Redis that
 * is down, a driver bug) becomes a `PaywallStoreError` with it as the cause, so the engine can
 * fail closed on exactly that.
 */
export function checkedStore(store: PaywallStore): PaywallStore {
  async function call<value>(
    operation: PaywallStoreError['operation'],
    run: () => Promise<value>,
  ): Promise<value> {
    try {
      return await run()
    } catch (error) {
      throw new PaywallStoreError({ operation, cause: error })
    }
  }
  return {
    claim: (key, value, ttlMs) => call('claim', () => store.claim(key, value, ttlMs)),
    get: (key) => call('get', () => store.get(key)),
    set: (key, value, ttlMs) => call('set', () => store.set(key, value, ttlMs)),
    delete: (key, expected) => call('delete', () => store.delete(key, expected)),
  }
}

/** A random owner token for a claim, so that only its owner releases it. */
export function ownerToken(): string {
  return globalThis.crypto.randomUUID()
}
