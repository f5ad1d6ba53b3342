import { expect, test } from 'vitest'
import { createMemoryStore } from '../store/createMemoryStore.js'
import { createKeptPayments } from './keptPayments.js'

const requirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
}
const pending = {
  kind: 'pending' as const,
  signature: '0xabc',
  requirements,
  result: { status: 200, headers: {}, body: 'aGk=' },
}

test('a kept payment lives ttlSeconds on the clock, and reads back as it was written', async () => {
  let now = 0
  const kept = createKeptPayments({ store: createMemoryStore({ now: () => now }), ttlSeconds: 60 })
  await kept.set('k', pending)
  expect(await kept.get('k')).toEqual(pending)
  now = 59_999
  expect(await kept.get('k')).toEqual(pending)
  now = 60_000
  expect(await kept.get('k')).toBeUndefined()
})

test('deleted once finished', async () => {
  const kept = createKeptPayments({ store: createMemoryStore() })
  await kept.set('k', pending)
  await kept.delete('k')
  expect(await kept.get('k')).toBeUndefined()
})

test('one call at a time: a second lock waits for the first unlock, a stale unlock frees nothing', async () => {
  const kept = createKeptPayments({ store: createMemoryStore() })
  const first = await kept.lock('k')
  expect(first).toBeDefined()
  expect(await kept.lock('k')).toBeUndefined()
  await kept.unlock(first!)
  const second = await kept.lock('k')
  expect(second).toBeDefined()
  await kept.unlock(first!)
  expect(await kept.lock('k')).toBeUndefined()
})
