import { expect, test } from 'vitest'
import {
  callFor,
  createWork,
  ok,
  paymentContext,
  standInFacilitator,
  testOffers,
  unsignedPayment,
  wireTestEngine,
} from '../../test/engine.js'
import type { FailedEvent } from '../hooks.js'
import { authorizationKey } from '../payment/authorization.js'
import { serveFirst, settleFirst } from './serve.js'

function setup(
  key: 'report' | 'report-settle-first',
  answer: Parameters<typeof createWork>[0],
  order: string[] = [],
) {
  const facilitator = standInFacilitator({
    settle: async (request) => {
      order.push('settle')
      return {
        success: true,
        transaction: `0x${'ab'.repeat(32)}`,
        network: request.paymentRequirements.network,
      }
    },
  })
  const failures: FailedEvent<{ name: string }>[] = []
  const { engine, offers } = wireTestEngine(facilitator, {
    offers: testOffers,
    hooks: { onFailed: (event) => void failures.push(event) },
  })
  const offer = offers.find((candidate) => candidate.key === key)!
  const work = createWork(async () => {
    order.push('work')
    return answer ? answer() : ok('paid')
  })
  const context = paymentContext(callFor(offer, unsignedPayment(offer), work.run))
  const requirements = context.candidates[0]
  const authKey = authorizationKey(requirements, context.payment.authorization)
  return { engine, context, requirements, authKey, work, failures, order }
}

test('serve-first: the work, then the settlement; served with it', async () => {
  const { engine, context, requirements, authKey, order } = setup('report', undefined)
  const claim = await engine.guard.claim(authKey, Date.now() + 60_000)
  const outcome = await serveFirst(engine, context, { requirements, payer: '0xp', claim: claim! })
  expect(outcome).toMatchObject({
    kind: 'served',
    result: ok('paid'),
    settlement: { success: true },
  })
  expect(order).toEqual(['work', 'settle'])
  expect(await engine.guard.has(authKey)).toBe(true)
})

test('serve-first, failed work: not served, nothing settled, the authorization given back', async () => {
  const { engine, context, requirements, authKey, order, failures } = setup('report', () => ({
    ok: false,
    text: 'broken',
  }))
  const claim = await engine.guard.claim(authKey, Date.now() + 60_000)
  const outcome = await serveFirst(engine, context, { requirements, payer: '0xp', claim: claim! })
  expect(outcome).toMatchObject({ kind: 'not-served', aborted: false, settlement: undefined })
  expect(order).toEqual(['work'])
  expect(await engine.guard.has(authKey)).toBe(false)
  expect(failures).toMatchObject([{ stage: 'handler', reason: 'handler_failed' }])
})

test('settle-first: the settlement, then the work; failed work keeps the paid payment', async () => {
  const { engine, context, requirements, authKey, order, failures } = setup(
    'report-settle-first',
    () => ({ ok: false, text: 'broken' }),
  )
  const claim = await engine.guard.claim(authKey, Date.now() + 60_000)
  const outcome = await settleFirst(engine, context, { requirements, payer: '0xp', claim: claim! })
  expect(order).toEqual(['settle', 'work'])
  expect(outcome).toMatchObject({ kind: 'not-served', settlement: { success: true } })
  expect(await engine.kept.get(authKey)).toMatchObject({
    kind: 'paid',
    settlement: { success: true },
  })
  expect(failures).toMatchObject([{ stage: 'handler', settlement: { success: true } }])
})

test('settle-first, successful work: served, nothing left kept', async () => {
  const { engine, context, requirements, authKey } = setup('report-settle-first', undefined)
  const claim = await engine.guard.claim(authKey, Date.now() + 60_000)
  expect(
    (await settleFirst(engine, context, { requirements, payer: '0xp', claim: claim! })).kind,
  ).toBe('served')
  expect(await engine.kept.get(authKey)).toBeUndefined()
})
