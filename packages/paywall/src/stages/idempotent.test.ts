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
import type { Outcome } from '../engine/types.js'
import { createMemoryStore } from '../store/createMemoryStore.js'
import { idempotent } from './idempotent.js'

const settlement = { success: true, transaction: `0x${'cd'.repeat(32)}`, network: 'eip155:84532' }
const id = 'pay_0123456789abcdef'

function setup(idempotency: { required?: boolean } | false = {}) {
  const { engine, offers } = wireTestEngine(standInFacilitator(), {
    offers: testOffers,
    idempotency,
    store: createMemoryStore(),
  })
  const contextFor = (options: Parameters<typeof unsignedPayment>[1]) =>
    paymentContext(callFor(offers[0]!, unsignedPayment(offers[0]!, options), createWork().run))
  let runs = 0
  const pay = async (): Promise<Outcome<{ ok: boolean; text: string }>> => {
    runs++
    return { kind: 'served', result: ok(`run ${runs}`), settlement, x402Version: 2 }
  }
  return { engine, contextFor, pay, runs: () => runs }
}

test('no identifier: the call runs as it is, every time', async () => {
  const { engine, contextFor, pay, runs } = setup()
  await idempotent(engine, contextFor({}), pay)
  await idempotent(engine, contextFor({}), pay)
  expect(runs()).toBe(2)
})

test('the same identifier and payload: run once, then the kept result with its settlement', async () => {
  const { engine, contextFor, pay, runs } = setup()
  const first = await idempotent(engine, contextFor({ id }), pay)
  const second = await idempotent(engine, contextFor({ id }), pay)
  expect(first).toMatchObject({ kind: 'served', result: ok('run 1') })
  expect(second).toEqual({ kind: 'replayed', result: ok('run 1'), settlement, x402Version: 2 })
  expect(runs()).toBe(1)
})

test('concurrent calls with one identifier: one run, the others wait and get its result', async () => {
  const { engine, contextFor, pay, runs } = setup()
  const outcomes = await Promise.all(
    Array.from({ length: 5 }, () => idempotent(engine, contextFor({ id }), pay)),
  )
  expect(runs()).toBe(1)
  expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual([
    'replayed',
    'replayed',
    'replayed',
    'replayed',
    'served',
  ])
})

test('only a served answer is kept: after a refusal the identifier is free again', async () => {
  const { engine, contextFor, pay, runs } = setup()
  const refused = async (): Promise<Outcome<never>> => ({
    kind: 'refused',
    failure: 'facilitator_unavailable',
    reason: 'unexpected_verify_error',
    message: 'down',
  })
  expect((await idempotent(engine, contextFor({ id }), refused)).kind).toBe('refused')
  expect((await idempotent(engine, contextFor({ id }), pay)).kind).toBe('served')
  expect(runs()).toBe(1)
})

test('another payload with the identifier: a conflict (409), nothing run', async () => {
  const { engine, contextFor, pay, runs } = setup()
  await idempotent(engine, contextFor({ id, nonce: 1 }), pay)
  expect(await idempotent(engine, contextFor({ id, nonce: 2 }), pay)).toMatchObject({
    kind: 'refused',
    failure: 'idempotency_conflict',
    reason: 'payment_identifier_conflict',
    stage: 'idempotency',
  })
  expect(runs()).toBe(1)
})

test('a malformed identifier, or none where one is required: a bad request', async () => {
  const { engine, contextFor, pay } = setup()
  expect(await idempotent(engine, contextFor({ id: 'short' }), pay)).toMatchObject({
    kind: 'refused',
    failure: 'bad_request',
    reason: 'invalid_payment_identifier',
  })
  const required = setup({ required: true })
  expect(await idempotent(required.engine, required.contextFor({}), required.pay)).toMatchObject({
    kind: 'refused',
    failure: 'bad_request',
    reason: 'payment_identifier_required',
  })
})

test('idempotency off: identifiers are ignored', async () => {
  const { engine, contextFor, pay, runs } = setup(false)
  await idempotent(engine, contextFor({ id }), pay)
  await idempotent(engine, contextFor({ id }), pay)
  expect(runs()).toBe(2)
})
