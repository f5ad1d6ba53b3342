import { describe, expect, test } from 'vitest'
import type { PaywallStore } from '../src/store/types.js'

/** A store under test, and how to let `ms` milliseconds pass for it. */
export type StoreUnderTest = {
  store: PaywallStore
  /** Lets time pass for the store: a fake clock moved, or (Redis) its own clock waited out. */
  elapse(ms: number): Promise<void>
  /** The shortest time to live the store keeps apart from zero (Redis: milliseconds). */
  ttlMs: number
}

/**
 * What every `PaywallStore` promises, run against each implementation: the paywall's guarantees
 * (one handler run per payment, kept answers) rest on exactly these.
 */
export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>) {
  describe(`${name} keeps the PaywallStore contract`, () => {
    test('claim sets only an absent key, once, and get reads it back', async () => {
      const { store, ttlMs } = await open()
      expect(await store.get('a')).toBeUndefined()
      expect(await store.claim('a', 'first', ttlMs * 100)).toBe(true)
      expect(await store.claim('a', 'second', ttlMs * 100)).toBe(false)
      expect(await store.get('a')).toBe('first')
    })

    test('fifty concurrent claims of one key: exactly one wins', async () => {
      const { store, ttlMs } = await open()
      const wins = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.claim('race', `owner-${i}`, ttlMs * 100)),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
      expect(await store.get('race')).toBe(`owner-${wins.indexOf(true)}`)
    })

    test('set replaces; delete removes; delete with expected removes only that value', async () => {
      const { store, ttlMs } = await open()
      await store.set('k', 'one', ttlMs * 100)
      await store.set('k', 'two', ttlMs * 100)
      expect(await store.get('k')).toBe('two')
      expect(await store.delete('k', 'one')).toBe(false)
      expect(await store.get('k')).toBe('two')
      expect(await store.delete('k', 'two')).toBe(true)
      expect(await store.get('k')).toBeUndefined()
      expect(await store.delete('k')).toBe(false)
      await store.set('k', 'three', ttlMs * 100)
      expect(await store.delete('k')).toBe(true)
      expect(await store.claim('k', 'again', ttlMs * 100)).toBe(true)
    })

    test('an entry expires after its time to live, and its key can be claimed again', async () => {
      const { store, elapse, ttlMs } = await open()
      expect(await store.claim('short', 'v', ttlMs)).toBe(true)
      await store.set('long', 'v', ttlMs * 1000)
      await elapse(ttlMs * 2)
      expect(await store.get('short')).toBeUndefined()
      expect(await store.claim('short', 'w', ttlMs)).toBe(true)
      expect(await store.get('long')).toBe('v')
    })

    test('values are kept byte for byte (JSON, unicode, large)', async () => {
      const { store, ttlMs } = await open()
      const value = JSON.stringify({ body: 'é✓'.repeat(10_000), n: '1'.repeat(78) })
      await store.set('big', value, ttlMs * 100)
      expect(await store.get('big')).toBe(value)
    })
  })
}
