import diagnostics from 'node:diagnostics_channel'
import { afterAll, afterEach, expect, test } from 'vitest'
import { receiptOf } from '../../test/fixtures.js'
import { createMemoryReceiptLog } from '../receipts/receiptLog.js'
import { createPurchaseBook } from './book.js'
import { createRecorder } from './recorder.js'

const channels = {
  receipt: 'test:payer:recorder:receipt',
  dispute: 'test:payer:recorder:dispute',
  error: 'test:payer:recorder:error',
}
const published: Record<string, unknown[]> = { receipt: [], dispute: [], error: [] }
const listeners = Object.entries(channels).map(([kind, name]) => {
  const listener = (message: unknown) => published[kind]!.push(message)
  diagnostics.subscribe(name, listener)
  return () => diagnostics.unsubscribe(name, listener)
})
afterEach(() => {
  for (const kind of Object.keys(published)) published[kind] = []
})
afterAll(() => {
  for (const stop of listeners) stop()
})

test('a record goes to the book, the channels, the log and the hook, in that order', async () => {
  const book = createPurchaseBook()
  const log = createMemoryReceiptLog()
  const seen: string[] = []
  const record = createRecorder({
    book,
    receipts: log,
    onReceipt: async (receipt) => {
      seen.push(`hook: book has ${book.get('order-1')?.receipt.status}`)
      seen.push(`hook: log has ${(await log.list()).length}`)
      expect(receipt.purchase).toBe('order-1')
    },
    channels,
  })
  const disputed = receiptOf({ purchase: 'order-1', disputed: 'not-delivered' })
  await record(disputed)
  expect(seen).toEqual(['hook: book has settled', 'hook: log has 1'])
  expect(published.receipt).toEqual([{ receipt: disputed }])
  expect(published.dispute).toEqual([{ receipt: disputed }])
  expect(await log.list()).toEqual([disputed])
})

test('a failing log or hook is published, never thrown: the caller keeps what it paid for', async () => {
  const book = createPurchaseBook()
  const record = createRecorder({
    book,
    receipts: {
      append: async () => {
        throw new Error('disk full')
      },
      list: async () => [],
    },
    onReceipt: () => {
      throw new Error('hook bug')
    },
    channels,
  })
  const receipt = receiptOf({ purchase: 'order-2' })
  await expect(record(receipt)).resolves.toBeUndefined()
  expect(book.get('order-2')?.receipt).toBe(receipt)
  expect(published.error).toEqual([
    expect.objectContaining({ stage: 'receipt-log', receipt }),
    expect.objectContaining({ stage: 'on-receipt', receipt }),
  ])
  expect(published.dispute).toEqual([])
})
