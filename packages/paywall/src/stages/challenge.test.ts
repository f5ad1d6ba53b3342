import diagnostics_channel from 'node:diagnostics_channel'
import { expect, test } from 'vitest'
import {
  callContext,
  callFor,
  createWork,
  standInFacilitator,
  testOffers,
  wireTestEngine,
} from '../../test/engine.js'
import { resolveAgentOption } from '../agent.js'
import { buildPaymentRequired, challenge, challengeExtensions } from './challenge.js'

const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'

test('the extensions: the payment identifier unless off, required or not, and the agent', () => {
  const agent = resolveAgentOption({ agentRegistry, agentId: 7n })
  expect(Object.keys(challengeExtensions({ idempotency: {}, agent }))).toEqual([
    'payment-identifier',
    'erc8004',
  ])
  expect(challengeExtensions({ idempotency: { required: true }, agent: undefined })).toMatchObject({
    'payment-identifier': { info: { required: true } },
  })
  expect(challengeExtensions({ idempotency: false, agent })).toEqual({ erc8004: agent.extension })
  expect(challengeExtensions({ idempotency: false, agent: undefined })).toEqual({})
})

test('buildPaymentRequired leaves out empty extensions', () => {
  const resource = { url: 'test://x', description: '', mimeType: '' }
  expect(buildPaymentRequired({ accepts: [], resource, error: 'e', extensions: {} })).toEqual({
    x402Version: 2,
    error: 'e',
    resource,
    accepts: [],
  })
})

test('a call without a payment: the challenge, published on the challenge channel, nothing run', async () => {
  const { engine, offers } = wireTestEngine(standInFacilitator(), { offers: testOffers })
  const work = createWork()
  const messages: unknown[] = []
  const listener = (message: unknown) => messages.push(message)
  diagnostics_channel.subscribe('tollgate:paywall:challenge', listener)
  try {
    const outcome = challenge(engine, callContext(callFor(offers[0]!, undefined, work.run)))
    expect(outcome).toMatchObject({
      kind: 'payment-required',
      failure: 'payment_required',
      reason: 'payment_required',
      message: 'This resource requires payment.',
      paymentRequired: { error: 'payment_required', accepts: [{ network: 'eip155:84532' }] },
    })
  } finally {
    diagnostics_channel.unsubscribe('tollgate:paywall:challenge', listener)
  }
  expect(messages).toEqual([{ route: 'report', url: 'test://offer/report' }])
  expect(work.runs).toBe(0)
})
