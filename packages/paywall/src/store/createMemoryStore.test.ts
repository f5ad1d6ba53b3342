import { expect, test } from 'vitest'
import { describeStoreContract } from '../../test/storeContract.js'
import { createMemoryStore } from './createMemoryStore.js'

describeStoreContract('createMemoryStore', async () => {
  let time = 1_700_000_000_000
  return {
    store: createMemoryStore({ now: () => time }),
    elapse: async (ms) => {
      time += ms
    },
    ttlMs: 1,
  }
})

test('expired entries are pruned as the map grows: memory stays bounded by what is alive', async () => {
  let time = 0
  const store = createMemoryStore({ now: () => time })
  for (let i = 0; i < 5000; i++) {
    await store.set(`k${i}`, 'v', 10)
    time += 1
  }
  // Every key older than 10 ms is gone, not only unreadable: a claim of one succeeds at once.
  expect(await store.get('k0')).toBeUndefined()
  expect(await store.get('k4999')).toBe('v')
  expect(await store.claim('k10', 'again', 10)).toBe(true)
})

test('maxEntries evicts the oldest set entries, never a claim', async () => {
  const store = createMemoryStore({ maxEntries: 2 })
  expect(await store.claim('taken', 'owner', 60_000)).toBe(true)
  for (const key of ['a', 'b', 'c']) await store.set(key, key, 60_000)
  expect(await store.get('a')).toBeUndefined()
  expect([await store.get('b'), await store.get('c')]).toEqual(['b', 'c'])
  // Replacing a value makes it the newest.
  await store.set('b', 'b2', 60_000)
  await store.set('d', 'd', 60_000)
  expect([await store.get('b'), await store.get('c'), await store.get('d')]).toEqual([
    'b2',
    undefined,
    'd',
  ])
  expect(await store.get('taken')).toBe('owner')
})
