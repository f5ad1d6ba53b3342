import { assets } from '@tollgate/evm'
import { expect, test } from 'vitest'
import { paymentRequired, receiptOf } from '../../test/fixtures.js'
import { BudgetExceededError } from '../errors/policy.js'
import type { PolicyParameters } from '../policy/createPolicy.js'
import { createPolicy, policyEngine } from '../policy/createPolicy.js'
import type { ReceiptLog } from '../receipts/receiptLog.js'
import { createMemoryReceiptLog } from '../receipts/receiptLog.js'
import { createPurchaseBook } from './book.js'
import { createLogLoader } from './loadLog.js'

const hour = 3_600_000
const now = 1_800_000_000_000

function loaderOn(receipts: ReceiptLog, parameters: PolicyParameters) {
  const policy = policyEngine(createPolicy({ now: () => now, ...parameters }))
  const book = createPurchaseBook()
  return {
    policy,
    book,
    loader: createLogLoader({ receipts, book, policy, registry: assets }),
  }
}

/** A $0.01 call to api.example.com, as the policy decides it. */
function decideOne(policy: ReturnType<typeof loaderOn>['policy']) {
  const url = new URL('https://api.example.com/report')
  return policy.decide({
    challenge: { x402Version: 2, paymentRequired: paymentRequired(url.href) },
    url,
    method: 'GET',
    assets,
  })
}

test('budgets come back: the settled payments of the log count in the windows they fall in', async () => {
  const log = createMemoryReceiptLog()
  await log.append(receiptOf({ at: now - 10 * 60_000 }))
  // Settled when it was reconciled, 20 minutes ago, although sent two hours ago.
  await log.append(
    receiptOf({
      at: now - 2 * hour,
      reconciled: { by: 'chain', finding: 'spent', at: now - 20 * 60_000 },
    }),
  )
  await log.append(receiptOf({ at: now - 2 * hour })) // out of the window
  await log.append(receiptOf({ status: 'refused', at: now - 60_000 })) // never charged
  await log.append(receiptOf({ status: 'indeterminate', amount: 5_000n, at: now - 60_000 }))
  const host = { limit: '$0.03', scope: 'host', windowMs: hour } as const
  const { policy, book, loader } = loaderOn(log, { budgets: [host] })
  expect(loader.started).toBe(false)

  const read = await loader.load()
  expect(read).toHaveLength(5)
  expect(loader.started).toBe(true)
  expect(policy.usage()).toEqual([
    expect.objectContaining({
      key: 'api.example.com',
      committed: 2n * 10n ** 16n,
      reserved: 5n * 10n ** 15n,
      used: '0.025',
    }),
  ])
  // Only the indeterminate payment stays in the book with its money held.
  expect(book.indeterminate()).toHaveLength(1)
  // $0.025 of $0.03 used: a $0.01 call no longer fits.
  expect(() => decideOne(policy)).toThrow(BudgetExceededError)
})

test('a payment is counted once, however many payers load the log into one policy', async () => {
  const log = createMemoryReceiptLog()
  const settled = receiptOf({ at: now - 60_000 })
  await log.append(settled)
  const { policy } = loaderOn(log, { budgets: [{ limit: '$1', windowMs: hour }] })
  const registry = assets
  for (let i = 0; i < 2; i++)
    await createLogLoader({ receipts: log, book: createPurchaseBook(), policy, registry }).load()
  // And a payment this process made, with the receipt id its budget entry carries.
  const decision = policy.decide({
    challenge: { x402Version: 2, paymentRequired: paymentRequired('https://api.example.com/a') },
    url: new URL('https://api.example.com/a'),
    method: 'GET',
    assets,
    id: 'made-here',
  })
  decision.reservation.commit()
  await log.append(receiptOf({ id: 'made-here', at: now }))
  await createLogLoader({ receipts: log, book: createPurchaseBook(), policy, registry }).load()
  expect(policy.usage()[0]).toMatchObject({ committed: 2n * 10n ** 16n, used: '0.02' })
})

test('a budget without a window is not rebuilt: it holds for the life of its policy', async () => {
  const log = createMemoryReceiptLog()
  await log.append(receiptOf({ at: now - 60_000 }))
  const { policy, loader } = loaderOn(log, { budgets: [{ limit: '$1' }] })
  await loader.load()
  expect(policy.usage()).toEqual([])
})

test('the log is read once; a read that failed is tried again on the next load', async () => {
  let lists = 0
  let failing = true
  const log: ReceiptLog = {
    append: async () => {},
    list: async () => {
      lists++
      if (failing) throw new Error('not mounted yet')
      return [receiptOf({ purchase: 'order-1', status: 'indeterminate', at: now })]
    },
  }
  const { policy, book, loader } = loaderOn(log, {
    budgets: [{ limit: '$1', windowMs: hour }],
  })
  await expect(loader.load()).rejects.toThrow('not mounted yet')
  expect(loader.started).toBe(false)
  failing = false
  await loader.load()
  await loader.load()
  expect(lists).toBe(2)
  expect(book.get('order-1')?.reservation).toBeDefined()
  expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10n ** 16n })
})
