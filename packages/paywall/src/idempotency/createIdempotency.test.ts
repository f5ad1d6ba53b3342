import type { PaymentPayload } from '@tollgate/core'
import { expect, test } from 'vitest'
import { createMemoryStore } from '../store/createMemoryStore.js'
import { createIdempotency } from './createIdempotency.js'
import { readPaymentIdentifier } from './paymentIdentifier.js'

const payload = (id: unknown, amount = '1') =>
  ({
    x402Version: 2,
    accepted: { amount },
    payload: {},
    extensions: { 'payment-identifier': { info: { required: false, id } } },
  }) as unknown as PaymentPayload
const response = { status: 200, headers: {}, body: 'paid' }

test('readPaymentIdentifier: the id, undefined without one, null when malformed', () => {
  expect(readPaymentIdentifier(payload('pay_0123456789abcdef'))).toBe('pay_0123456789abcdef')
  expect(readPaymentIdentifier(payload(undefined))).toBeUndefined()
  expect(readPaymentIdentifier({ ...payload(1), extensions: undefined })).toBeUndefined()
  expect(readPaymentIdentifier(payload('short'))).toBeNull()
  expect(readPaymentIdentifier(payload('has spaces in it, sixteen+'))).toBeNull()
  expect(readPaymentIdentifier(payload(42))).toBeNull()
})

test('new, wait while running, replay when done, conflict on another payload', async () => {
  let now = 0
  const cache = createIdempotency({
    store: createMemoryStore({ now: () => now }),
    ttlSeconds: 10,
  })
  const id = 'pay_0123456789abcdef'
  const first = await cache.claim(id, payload(id))
  expect(first.kind).toBe('new')
  const waiting = await cache.claim(id, payload(id))
  expect(waiting.kind).toBe('wait')
  expect((await cache.claim(id, payload(id, '2'))).kind).toBe('conflict')
  if (first.kind === 'new') await first.complete(response)
  if (waiting.kind === 'wait') await waiting.done
  expect(await cache.claim(id, payload(id))).toEqual({ kind: 'replay', response })
  now = 10_001
  expect((await cache.claim(id, payload(id, '2'))).kind).toBe('new')
})

test('a failed run frees the id', async () => {
  const cache = createIdempotency({ store: createMemoryStore() })
  const id = 'pay_0123456789abcdef'
  const first = await cache.claim(id, payload(id))
  if (first.kind === 'new') await first.complete(undefined)
  expect((await cache.claim(id, payload(id, '2'))).kind).toBe('new')
})

test('at most maxEntries responses are kept, oldest first out', async () => {
  const cache = createIdempotency({ store: createMemoryStore({ maxEntries: 2 }) })
  const ids = ['pay_aaaaaaaaaaaaaaaa', 'pay_bbbbbbbbbbbbbbbb', 'pay_cccccccccccccccc']
  for (const id of ids) {
    const slot = await cache.claim(id, payload(id))
    if (slot.kind === 'new') await slot.complete(response)
  }
  expect((await cache.claim(ids[0]!, payload(ids[0]))).kind).toBe('new')
  expect((await cache.claim(ids[2]!, payload(ids[2]))).kind).toBe('replay')
})

test('two paywalls sharing a store: one waits for the run of the other, then replays it', async () => {
  const store = createMemoryStore()
  const [a, b] = [createIdempotency({ store }), createIdempotency({ store })]
  const id = 'pay_0123456789abcdef'
  const first = await a.claim(id, payload(id))
  const waiting = await b.claim(id, payload(id))
  expect(waiting.kind).toBe('wait')
  // Nothing in b's process wakes it: it finds the finished run by reading the store again.
  if (first.kind === 'new') await first.complete(response)
  if (waiting.kind === 'wait') await waiting.done
  expect(await b.claim(id, payload(id))).toEqual({ kind: 'replay', response })
})
