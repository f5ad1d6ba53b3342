import { expect, test } from 'vitest'
import {
  callFor,
  createWork,
  paymentContext,
  standInFacilitator,
  testOffers,
  unsignedPayment,
  wireTestEngine,
} from '../../test/engine.js'
import type { VerifiedEvent } from '../hooks.js'
import { announceVerified, checkSettlementMode, verify } from './verify.js'

const network = 'eip155:84532'

function setup(
  facilitator: ReturnType<typeof standInFacilitator>,
  offer: Record<string, unknown> = {},
) {
  const logged: string[] = []
  const verified: VerifiedEvent<{ name: string }>[] = []
  const { engine, offers } = wireTestEngine(facilitator, {
    offers: { report: { ...testOffers.report, ...offer } },
    logger: { warn: (message) => logged.push(message), error: (message) => logged.push(message) },
    hooks: { onVerified: (event) => void verified.push(event) },
  })
  const context = paymentContext(callFor(offers[0]!, unsignedPayment(offers[0]!), createWork().run))
  return { engine, context, logged, verified }
}

test('a valid payment: the requirement it verified against', async () => {
  const facilitator = standInFacilitator()
  const { engine, context } = setup(facilitator)
  expect(await verify(engine, context)).toMatchObject({
    requirements: { network, amount: '10000' },
    verification: { isValid: true },
  })
  expect(facilitator.calls.verify).toBe(1)
})

test("an invalid payment: refused with the facilitator's reason and message; a Permit2 allowance is a precondition", async () => {
  const invalid = standInFacilitator({
    verify: async () => ({
      isValid: false,
      invalidReason: 'invalid_exact_evm_signature',
      invalidMessage: 'bad sig',
    }),
  })
  expect(await verify(setup(invalid).engine, setup(invalid).context)).toMatchObject({
    kind: 'payment-required',
    failure: 'payment_required',
    stage: 'verify',
    reason: 'invalid_exact_evm_signature',
    message: 'bad sig',
  })
  const permit2 = standInFacilitator({
    verify: async () => ({ isValid: false, invalidReason: 'permit2_allowance_required' }),
  })
  const { engine, context } = setup(permit2)
  expect(await verify(engine, context)).toMatchObject({
    kind: 'payment-required',
    failure: 'precondition_required',
    message: 'The payment did not verify.',
  })
})

test('a facilitator that cannot be reached: unavailable (retry later), warned about', async () => {
  const down = standInFacilitator({
    verify: () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
  })
  const { engine, context, logged } = setup(down)
  expect(await verify(engine, context)).toMatchObject({
    kind: 'refused',
    failure: 'facilitator_unavailable',
    reason: 'unexpected_verify_error',
    retryAfterSeconds: 1,
  })
  expect(logged).toEqual(['tollgate paywall: the facilitator failed to verify'])
  const broken = standInFacilitator({ verify: () => Promise.reject(new Error('nonsense')) })
  const second = setup(broken)
  expect(await verify(second.engine, second.context)).toMatchObject({
    kind: 'refused',
    failure: 'facilitator_error',
  })
})

test('the settlement mode: holds, or refused before anything is verified', async () => {
  const withModes = (modes: string[]) =>
    standInFacilitator({
      supported: async () => ({
        kinds: [{ x402Version: 2, scheme: 'exact', network, extra: { settlementModes: modes } }],
        extensions: [],
        signers: {},
      }),
    })
  const holds = setup(withModes(['confirmed']), { settlement: 'confirmed' })
  expect(
    await checkSettlementMode(holds.engine, holds.context, holds.context.candidates[0]),
  ).toBeUndefined()
  const refused = setup(withModes(['queued']), { settlement: 'confirmed' })
  expect(
    await checkSettlementMode(refused.engine, refused.context, refused.context.candidates[0]),
  ).toMatchObject({
    kind: 'refused',
    failure: 'server_error',
    stage: 'settlement-mode',
    reason: 'settlement_mode_unsupported',
  })
  const unreachable = setup(
    standInFacilitator({
      supported: () => Promise.reject(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })),
    }),
    { settlement: 'confirmed' },
  )
  expect(
    await checkSettlementMode(
      unreachable.engine,
      unreachable.context,
      unreachable.context.candidates[0],
    ),
  ).toMatchObject({
    kind: 'refused',
    failure: 'facilitator_unavailable',
    reason: 'unexpected_supported_error',
  })
})

test('announceVerified awaits the hook with the payer, the request and the verification', async () => {
  const { engine, context, verified } = setup(standInFacilitator())
  const result = await verify(engine, context)
  if ('kind' in result) throw new TypeError('expected a verified payment')
  await announceVerified(engine, context, result, '0xpayer')
  expect(verified).toMatchObject([
    { request: { name: 'test call' }, route: 'report', payer: '0xpayer', x402Version: 2 },
  ])
})
