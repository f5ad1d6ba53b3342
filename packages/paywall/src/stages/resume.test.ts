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
import { findKept, resume } from './resume.js'

function setup(signature?: string) {
  const facilitator = standInFacilitator()
  const { engine, offers } = wireTestEngine(facilitator, { offers: testOffers })
  const work = createWork(() => ok('rerun'))
  const context = paymentContext(
    callFor(offers[0]!, unsignedPayment(offers[0]!, signature ? { signature } : {}), work.run),
  )
  const requirements = context.candidates[0]
  const key = authorizationKey(requirements, context.payment.authorization)
  return { engine, context, requirements, key, work, facilitator }
}

test('findKept: only the same signed payment finds its kept purchase', async () => {
  const { engine, context, requirements, key } = setup()
  expect(await findKept(engine, context)).toBeUndefined()
  const entry = {
    kind: 'pending' as const,
    signature: context.payment.authorization.signature.toUpperCase().replace('0X', '0x'),
    requirements,
    result: ok('kept'),
  }
  await engine.kept.set(key, entry)
  expect(await findKept(engine, context)).toEqual({ key, entry })
  const forged = setup(`0x${'22'.repeat(65)}`)
  await forged.engine.kept.set(key, entry)
  expect(await findKept(forged.engine, forged.context)).toBeUndefined()
})

test('a pending purchase settles and its kept result goes out, without running the work', async () => {
  const { engine, context, requirements, key, work } = setup()
  const entry = { kind: 'pending' as const, signature: '0x', requirements, result: ok('kept') }
  await engine.kept.set(key, entry)
  expect(await resume(engine, context, { key, entry })).toMatchObject({
    kind: 'served',
    result: ok('kept'),
    settlement: { success: true },
  })
  expect(work.runs).toBe(0)
  expect(await engine.kept.get(key)).toBeUndefined()
})

test('a paid purchase runs the work again without settling', async () => {
  const { engine, context, requirements, key, work, facilitator } = setup()
  const settlement = { success: true, transaction: '0x01', network: requirements.network }
  const entry = { kind: 'paid' as const, signature: '0x', requirements, settlement }
  expect(await resume(engine, context, { key, entry })).toMatchObject({
    kind: 'served',
    result: ok('rerun'),
    settlement,
  })
  expect(work.runs).toBe(1)
  expect(facilitator.calls.settle).toBe(0)
})

test('one call at a time: a purchase being finished is a replay for the others', async () => {
  const { engine, context, requirements, key } = setup()
  const lock = await engine.kept.lock(key)
  const entry = { kind: 'pending' as const, signature: '0x', requirements, result: ok('kept') }
  expect(await resume(engine, context, { key, entry })).toMatchObject({
    kind: 'payment-required',
    reason: 'duplicate_settlement',
  })
  await engine.kept.unlock(lock!)
  expect((await resume(engine, context, { key, entry })).kind).toBe('served')
})
