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
import { authorizationKey } from '../payment/authorization.js'
import { pay } from './pay.js'

function setup(offer: Record<string, unknown> = {}) {
  const facilitator = standInFacilitator({
    supported: async () => ({
      kinds: [
        {
          x402Version: 2,
          scheme: 'exact',
          network: 'eip155:84532',
          extra: { settlementModes: [] },
        },
      ],
      extensions: [],
      signers: {},
    }),
  })
  const { engine, offers } = wireTestEngine(facilitator, {
    offers: { report: { ...testOffers.report, ...offer } },
  })
  const work = createWork()
  const context = paymentContext(callFor(offers[0]!, unsignedPayment(offers[0]!), work.run))
  const key = authorizationKey(context.candidates[0], context.payment.authorization)
  return { engine, context, key, work, facilitator }
}

test('verified, claimed, run, settled: served', async () => {
  const { engine, context, key, work } = setup()
  expect(await pay(engine, context)).toMatchObject({ kind: 'served', result: ok('paid') })
  expect(work.runs).toBe(1)
  expect(await engine.guard.has(key)).toBe(true)
})

test('an authorization already taken: a replay, answered before the facilitator is asked', async () => {
  const { engine, context, key, work, facilitator } = setup()
  await engine.guard.claim(key, Date.now() + 60_000)
  expect(await pay(engine, context)).toMatchObject({ reason: 'duplicate_settlement' })
  expect(facilitator.calls.verify).toBe(0)
  expect(work.runs).toBe(0)
})

test('a settlement mode the facilitator cannot honour: refused before anything is verified', async () => {
  const { engine, context, facilitator, work } = setup({ settlement: 'queued' })
  expect(await pay(engine, context)).toMatchObject({ reason: 'settlement_mode_unsupported' })
  expect(facilitator.calls.verify).toBe(0)
  expect(work.runs).toBe(0)
})

test('a kept purchase of the same payment is finished, not paid again', async () => {
  const { engine, context, key, work, facilitator } = setup()
  await engine.kept.set(key, {
    kind: 'pending',
    signature: context.payment.authorization.signature,
    requirements: context.candidates[0],
    result: ok('kept'),
  })
  expect(await pay(engine, context)).toMatchObject({ kind: 'served', result: ok('kept') })
  expect(facilitator.calls.verify).toBe(0)
  expect(work.runs).toBe(0)
})
