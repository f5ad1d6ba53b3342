import { expect, test } from 'vitest'
import { receiptOf } from '../../test/fixtures.js'
import type { Reservation } from '../policy/budget.js'
import { createPurchaseBook } from './book.js'

function reservation(): Reservation & { state: string } {
  const held = {
    state: 'held',
    commit() {
      held.state = 'committed'
    },
    release() {
      held.state = 'released'
    },
  }
  return held
}

test('a named purchase stays in the book whatever its outcome; its money only while indeterminate', () => {
  const book = createPurchaseBook()
  const money = reservation()
  const sent = receiptOf({ purchase: 'order-1', status: 'indeterminate' })
  book.open('order-1', { receipt: sent, reservation: money })
  // A later record of the same purchase keeps the money held before it while indeterminate.
  const pending = { ...sent, disputed: 'settlement-missing' as const }
  book.write(pending)
  expect(book.get('order-1')).toEqual({ receipt: pending, reservation: money })
  expect(book.indeterminate()).toEqual(['order-1'])
  const settled = { ...pending, status: 'settled' as const }
  book.write(settled, money)
  expect(book.get('order-1')).toEqual({ receipt: settled, reservation: undefined })
  expect(book.indeterminate()).toEqual([])
  expect(book.receipts()).toEqual([settled])
})

test('an unnamed call is kept only while its payment may still be spent', () => {
  const book = createPurchaseBook()
  const money = reservation()
  const open = receiptOf({ status: 'indeterminate' })
  book.write(open, money)
  expect(book.get(open.id)).toEqual({ receipt: open, reservation: money })
  book.write({ ...open, status: 'refused' })
  expect(book.get(open.id)).toBeUndefined()
  const settled = receiptOf()
  book.write(settled)
  expect(book.get(settled.id)).toBeUndefined()
  expect(book.receipts()).toEqual([])
})

test('resume takes in a purchase from a log only when the book does not know it', () => {
  const book = createPurchaseBook()
  const known = receiptOf({ purchase: 'order-2', status: 'indeterminate' })
  book.open('order-2', { receipt: known, reservation: undefined })
  const older = { ...known, id: 'older', status: 'refused' as const }
  expect(book.resume(older, undefined)).toBe(false)
  expect(book.get('order-2')?.receipt).toBe(known)
  const other = receiptOf({ purchase: 'order-3' })
  expect(book.resume(other, undefined)).toBe(true)
  expect(book.get('order-3')?.receipt).toBe(other)
})
