import { expect, test } from 'vitest'
import { createMemoryStore } from '../store/createMemoryStore.js'
import { createReplayGuard } from './replayGuard.js'

test('an authorization is taken once, until its validBefore, unless released', async () => {
  let now = 1_000_000
  const store = createMemoryStore({ now: () => now })
  const guard = createReplayGuard({ store, now: () => now })
  const claim = await guard.claim('a', 1_100_000)
  expect(claim).toBeDefined()
  expect(await guard.claim('a', 1_100_000)).toBeUndefined()
  expect(await guard.has('a')).toBe(true)
  await guard.release(claim!)
  expect(await guard.has('a')).toBe(false)
  expect(await guard.claim('a', 1_100_000)).toBeDefined()
  now = 1_099_999
  expect(await guard.has('a')).toBe(true)
  now = 1_100_000
  // Expired: no facilitator can settle it any more, so the entry is gone.
  expect(await guard.has('a')).toBe(false)
  expect(await store.get('auth:a')).toBeUndefined()
})

test('only the claim that took an authorization releases it', async () => {
  const guard = createReplayGuard({ store: createMemoryStore() })
  const first = await guard.claim('a', Date.now() + 60_000)
  await guard.release(first!)
  const second = await guard.claim('a', Date.now() + 60_000)
  // A late release of the first claim does not free the second.
  await guard.release(first!)
  expect(await guard.has('a')).toBe(true)
  await guard.release(second!)
  expect(await guard.has('a')).toBe(false)
})

test('fifty concurrent claims of one authorization: one wins', async () => {
  const guard = createReplayGuard({ store: createMemoryStore() })
  const claims = await Promise.all(
    Array.from({ length: 50 }, () => guard.claim('a', Date.now() + 60_000)),
  )
  expect(claims.filter(Boolean)).toHaveLength(1)
})
