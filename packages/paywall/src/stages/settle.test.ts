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
import { settle } from './settle.js'

const network = 'eip155:84532'
const pending = {
  success: false,
  errorReason: 'settlement_pending',
  transaction: `0x${'ef'.repeat(32)}`,
  network,
}

function setup(facilitator: ReturnType<typeof standInFacilitator>) {
  const { engine, offers } = wireTestEngine(facilitator, { offers: testOffers })
  const context = paymentContext(callFor(offers[0]!, unsignedPayment(offers[0]!), createWork().run))
  const requirements = context.candidates[0]
  const key = authorizationKey(requirements, context.payment.authorization)
  const held = { ok: true, result: ok('the work') }
  return { engine, context, requirements, key, held }
}

test('a settled payment: its settlement', async () => {
  const { engine, context, requirements } = setup(standInFacilitator())
  expect(await settle(engine, context, { requirements, payer: '0xpayer' })).toEqual({
    settlement: { success: true, transaction: `0x${'ab'.repeat(32)}`, network },
  })
})

test('settlement_pending twice: retried once, then refused as pending, the held result kept for a re-send', async () => {
  const facilitator = standInFacilitator({ settle: async () => pending })
  const { engine, context, requirements, key, held } = setup(facilitator)
  const settled = await settle(engine, context, { requirements, payer: '0xpayer', held })
  expect(facilitator.calls.settle).toBe(2)
  expect(settled).toMatchObject({
    outcome: {
      kind: 'settlement-failed',
      pending: true,
      settlement: pending,
      reason: 'settlement_pending',
      paymentRequired: { error: 'settlement_pending' },
    },
  })
  expect(await engine.kept.get(key)).toMatchObject({
    kind: 'pending',
    requirements,
    result: ok('the work'),
    signature: context.payment.authorization.signature,
  })
})

test('a definite failure: refused with the settlement, nothing kept', async () => {
  const failed = {
    success: false,
    errorReason: 'invalid_exact_evm_insufficient_balance',
    transaction: '',
    network,
  }
  const { engine, context, requirements, key, held } = setup(
    standInFacilitator({ settle: async () => failed }),
  )
  await engine.kept.set(key, {
    kind: 'pending',
    signature: '0x',
    requirements,
    result: held.result,
  })
  expect(await settle(engine, context, { requirements, payer: '0xpayer', held })).toMatchObject({
    outcome: { kind: 'settlement-failed', pending: false, settlement: failed },
  })
  expect(await engine.kept.get(key)).toBeUndefined()
})

test('a facilitator that throws while settling: the outcome is unknown, the result kept, the answer says so', async () => {
  const { engine, context, requirements, key, held } = setup(
    standInFacilitator({ settle: () => Promise.reject(new Error('exploded')) }),
  )
  expect(await settle(engine, context, { requirements, payer: '0xpayer', held })).toEqual({
    outcome: {
      kind: 'refused',
      failure: 'facilitator_error',
      reason: 'unexpected_settle_error',
      message: 'The payment facilitator failed while settling; the response is withheld.',
      stage: 'settle',
      settlement: {
        success: false,
        errorReason: 'unexpected_settle_error',
        transaction: '',
        network,
        payer: '0xpayer',
      },
      x402Version: 2,
    },
  })
  expect((await engine.kept.get(key))?.kind).toBe('pending')
})
