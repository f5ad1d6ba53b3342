import { paymentIdSchema } from '@tollgate/core'
import { InvalidPurchaseError, toPaymentId } from '@tollgate/payer'
import { expect, test } from 'vitest'
import { readPurchaseIdentity } from './purchase.js'

test('precedence: purchase.id, then purchase.paymentId, then Idempotency-Key', () => {
  const headers = new Headers({ 'Idempotency-Key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' })
  expect(readPurchaseIdentity({ id: 'order-12345678901' }, headers)).toEqual({
    id: 'order-12345678901',
    paymentId: 'order-12345678901',
    source: 'purchase.id',
  })
  expect(
    readPurchaseIdentity({ id: 'order 1', paymentId: 'pay_0123456789abcdef' }, headers),
  ).toEqual({ id: 'order 1', paymentId: 'pay_0123456789abcdef', source: 'purchase.id' })
  expect(readPurchaseIdentity({ paymentId: 'pay_0123456789abcdef' }, headers)).toEqual({
    id: 'pay_0123456789abcdef',
    paymentId: 'pay_0123456789abcdef',
    source: 'purchase.paymentId',
  })
  // The draft's structured-field string loses its quotes.
  expect(readPurchaseIdentity(undefined, headers)).toEqual({
    id: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    paymentId: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    source: 'idempotency-key',
  })
  expect(readPurchaseIdentity(undefined, new Headers())).toBeUndefined()
  expect(readPurchaseIdentity({}, new Headers({ 'idempotency-key': '  ' }))).toBeUndefined()
})

test('invalid ids are refused before anything is paid', () => {
  expect(() => readPurchaseIdentity({ id: '' }, new Headers())).toThrow(InvalidPurchaseError)
  expect(() => readPurchaseIdentity({ paymentId: 'short' }, new Headers())).toThrow(
    /16 to 128 characters/,
  )
  expect(() => readPurchaseIdentity({ paymentId: 'short' }, new Headers())).toThrow(
    expect.objectContaining({
      field: 'purchase.paymentId',
      code: 'TOLLGATE_FETCH_INVALID_PURCHASE',
    }),
  )
})

test('a payment id is the purchase id when the schema allows it, else a stable hash of it', () => {
  expect(toPaymentId('report_2026-11-25')).toBe('report_2026-11-25')
  const hashed = toPaymentId('short')
  expect(hashed).toMatch(/^tg_[0-9a-f]{64}$/)
  expect(toPaymentId('short')).toBe(hashed)
  expect(toPaymentId('shorT')).not.toBe(hashed)
  for (const id of [
    'a',
    'with spaces and more than sixteen',
    'x'.repeat(200),
    'ünïcode-0123456789',
  ])
    expect(paymentIdSchema.safeParse(toPaymentId(id)).success).toBe(true)
})
