import { expect, test } from 'vitest'
import { InvalidPurchaseError } from '../errors/purchase.js'
import { resolvePurchase, toPaymentId } from './purchaseIdentity.js'

test('a purchase id names the purchase; a payment id alone names it too', () => {
  expect(resolvePurchase({ id: 'report_2026-11-25' })).toEqual({
    id: 'report_2026-11-25',
    paymentId: 'report_2026-11-25',
    source: 'purchase.id',
  })
  expect(resolvePurchase({ id: 'order 1', paymentId: 'pay_0123456789abcdef' })).toEqual({
    id: 'order 1',
    paymentId: 'pay_0123456789abcdef',
    source: 'purchase.id',
  })
  expect(resolvePurchase({ id: 'order 1' })?.paymentId).toBe(toPaymentId('order 1'))
  expect(resolvePurchase({ paymentId: 'pay_0123456789abcdef' })).toEqual({
    id: 'pay_0123456789abcdef',
    paymentId: 'pay_0123456789abcdef',
    source: 'purchase.paymentId',
  })
  expect(resolvePurchase(undefined)).toBeUndefined()
  expect(resolvePurchase({})).toBeUndefined()
})

test('an empty id, or a payment id the schema refuses, is an error before anything is paid', () => {
  expect(() => resolvePurchase({ id: '' })).toThrow(InvalidPurchaseError)
  expect(() => resolvePurchase({ id: 'fine', paymentId: 'short' })).toThrow(
    expect.objectContaining({ field: 'purchase.paymentId' }),
  )
})
