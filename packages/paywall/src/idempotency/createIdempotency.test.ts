import type { PaymentPayload } from '@tollgate/core'
import { expect, test } from 'vitest'
import { createIdempotencyCache, readPaymentIdentifier } from './idempotency.js'

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
  const cache = createIdempotencyCache({ ttlSeconds: 10, now: () => now })
  const id = 'pay_0123456789abcdef'
  const first = cache.claim(id, payload(id))
  expect(first.kind).toBe('new')
  const waiting = cache.claim(id, payload(id))
  expect(waiting.kind).toBe('wait')
  expect(cache.claim(id, payload(id, '2')).kind).toBe('conflict')
  if (first.kind === 'new') first.complete(response)
  if (waiting.kind === 'wait') await waiting.done
  expect(cache.claim(id, payload(id))).toEqual({ kind: 'replay', response })
  now = 10_001
  expect(cache.claim(id, payload(id, '2')).kind).toBe('new')
})

test('a failed run frees the id', () => {
  const cache = createIdempotencyCache()
  const id = 'pay_0123456789abcdef'
  const first = cache.claim(id, payload(id))
  if (first.kind === 'new') first.complete(undefined)
  expect(cache.claim(id, payload(id, '2')).kind).toBe('new')
})

test('at most maxEntries responses are kept, oldest first out', () => {
  const cache = createIdempotencyCache({ maxEntries: 2 })
  const ids = ['pay_aaaaaaaaaaaaaaaa', 'pay_bbbbbbbbbbbbbbbb', 'pay_cccccccccccccccc']
  for (const id of ids) {
    const slot = cache.claim(id, payload(id))
    if (slot.kind === 'new') slot.complete(response)
  }
  expect(cache.claim(ids[0]!, payload(ids[0])).kind).toBe('new')
  expect(cache.claim(ids[2]!, payload(ids[2])).kind).toBe('replay')
})
