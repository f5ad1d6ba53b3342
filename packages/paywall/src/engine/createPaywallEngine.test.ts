// The engine driven as a transport that is not HTTP would drive it (text results, payments as
// JSON objects), against the local facilitator on anvil: what every transport inherits.

import diagnostics_channel from 'node:diagnostics_channel'
import { type PaymentPayload, paymentIdentifierKey } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  callFor,
  createTestEngine,
  createWork,
  ok,
  type TestRequest,
  type TextResult,
} from '../../test/engine.js'
import type { FailedEvent, SettledEvent } from '../hooks.js'
import { paywallReasons } from '../reasons.js'
import { createMemoryStore } from '../store/createMemoryStore.js'
import type { PaywallStore } from '../store/types.js'
import type { PaywallEngine } from './createPaywallEngine.js'
import type { Outcome } from './types.js'

const devnet = useDevnet({ accounts: 4 })

let payer: LocalAccount
let payTo: Address
let facilitator: ReturnType<typeof createLocalFacilitator>
const offers = () => ({
  'serve-first': { price: '$0.01', payTo, network: devnet.network },
  'settle-first': {
    price: '$0.01',
    payTo,
    network: devnet.network,
    order: 'settle-first' as const,
  },
})

beforeAll(() => {
  payer = devnet.accounts[0]!.account
  payTo = devnet.accounts[1]!.address
  facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

type Engine = PaywallEngine<TestRequest, TextResult>

/** Signs a payment for an offer, from the challenge the engine answers a call without one. */
async function sign(engine: Engine, key: string, id?: string | undefined): Promise<PaymentPayload> {
  const offer = engine.offers.find((candidate) => candidate.key === key)!
  const outcome = await engine.handle(callFor(offer, undefined, createWork().run))
  if (outcome.kind !== 'payment-required') throw new TypeError(`no challenge: ${outcome.kind}`)
  return createPaymentPayload(payer, {
    paymentRequired: outcome.paymentRequired,
    ...(id ? { extensions: { [paymentIdentifierKey]: { info: { required: false, id } } } } : {}),
  })
}

function call(engine: Engine, key: string, payment: unknown, work = createWork()) {
  const offer = engine.offers.find((candidate) => candidate.key === key)!
  return engine.handle(callFor(offer, payment, work.run))
}

const reasonOf = (outcome: Outcome<TextResult>) =>
  'reason' in outcome ? outcome.reason : undefined
const newId = () => `pay_${crypto.randomUUID().replace(/-/g, '')}`

describe('a call without a payment', () => {
  test('is answered with the v2 challenge: accepts, resource, the payment-identifier extension', async () => {
    const engine = createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc] })
    const work = createWork()
    const outcome = await engine.handle(callFor(engine.offers[0]!, undefined, work.run))
    expect(outcome).toMatchObject({
      kind: 'payment-required',
      failure: 'payment_required',
      reason: paywallReasons.paymentRequired,
      paymentRequired: {
        x402Version: 2,
        error: 'payment_required',
        resource: { url: 'test://offer/serve-first' },
        accepts: [{ scheme: 'exact', amount: '10000', payTo, network: devnet.network }],
        extensions: { 'payment-identifier': { info: { required: false } } },
      },
    })
    expect('stage' in outcome && outcome.stage).toBeFalsy()
    expect(work.runs).toBe(0)
  })

  test('a payment that could not be read is refused with its reason, as a decode failure', async () => {
    const failures: FailedEvent<TestRequest>[] = []
    const engine = createTestEngine(facilitator, {
      offers: offers(),
      assets: [devnet.usdc],
      hooks: { onFailed: (event) => void failures.push(event) },
    })
    const outcome = await call(engine, 'serve-first', { x402Version: 9 })
    expect(outcome).toMatchObject({
      kind: 'payment-required',
      stage: 'decode',
      reason: paywallReasons.invalidX402Version,
    })
    expect(failures).toMatchObject([{ stage: 'decode', request: { name: 'test call' } }])
  })
})

describe('serve-first', () => {
  test('served once and charged once; the same payment again is a replay, the work not run', async () => {
    const settled: SettledEvent<TestRequest>[] = []
    const engine = createTestEngine(facilitator, {
      offers: offers(),
      assets: [devnet.usdc],
      hooks: { onSettled: (event) => void settled.push(event) },
    })
    const payload = await sign(engine, 'serve-first')
    const before = await balanceOf(payTo)
    const work = createWork(() => ok('the report'))
    const outcome = await call(engine, 'serve-first', payload, work)
    expect(outcome).toMatchObject({
      kind: 'served',
      result: { ok: true, text: 'the report' },
      settlement: { success: true, payer: payer.address },
      x402Version: 2,
    })
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(settled).toMatchObject([{ route: 'serve-first', payer: payer.address }])
    const replay = await call(engine, 'serve-first', payload, work)
    expect(reasonOf(replay)).toBe(paywallReasons.duplicateSettlement)
    expect(work.runs).toBe(1)
  })

  test('one payment in ten concurrent calls: one served, nine refused, one transfer', async () => {
    const engine = createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc] })
    const payload = await sign(engine, 'serve-first')
    const before = await balanceOf(payTo)
    const work = createWork()
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => call(engine, 'serve-first', payload, work)),
    )
    expect(outcomes.filter((outcome) => outcome.kind === 'served')).toHaveLength(1)
    expect(outcomes.filter((outcome) => outcome.kind === 'payment-required')).toHaveLength(9)
    expect(work.runs).toBe(1)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('failed work: its own answer, nothing charged, and the payment can be used again', async () => {
    const engine = createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc] })
    const payload = await sign(engine, 'serve-first')
    const before = await balanceOf(payTo)
    const failing = await call(
      engine,
      'serve-first',
      payload,
      createWork(() => ({ ok: false, text: 'broken' })),
    )
    expect(failing).toEqual({
      kind: 'not-served',
      result: { ok: false, text: 'broken' },
      aborted: false,
      settlement: undefined,
      x402Version: 2,
    })
    expect(await balanceOf(payTo)).toBe(before)
    expect((await call(engine, 'serve-first', payload)).kind).toBe('served')
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })
})

describe('settle-first', () => {
  test('the transfer lands before the work; failed work keeps the payment, which runs it again without a second charge', async () => {
    const engine = createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc] })
    const payload = await sign(engine, 'settle-first')
    const before = await balanceOf(payTo)
    const seen: bigint[] = []
    let fail = true
    const work = createWork(async () => {
      seen.push(await balanceOf(payTo))
      return fail ? { ok: false, text: 'broken' } : ok('content')
    })
    const failed = await call(engine, 'settle-first', payload, work)
    expect(failed).toMatchObject({ kind: 'not-served', settlement: { success: true } })
    fail = false
    const served = await call(engine, 'settle-first', payload, work)
    expect(served).toMatchObject({ kind: 'served', result: ok('content') })
    expect(seen).toEqual([before + 10_000n, before + 10_000n])
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(reasonOf(await call(engine, 'settle-first', payload, work))).toBe(
      paywallReasons.duplicateSettlement,
    )
  })
})

describe('payment identifiers', () => {
  test('the same id and payload: the kept result, the work once; another payload: a conflict', async () => {
    const engine = createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc] })
    const id = newId()
    const payload = await sign(engine, 'serve-first', id)
    const work = createWork(() => ok('kept'))
    const first = await call(engine, 'serve-first', payload, work)
    const second = await call(engine, 'serve-first', payload, work)
    expect(first.kind).toBe('served')
    expect(second).toMatchObject({ kind: 'replayed', result: ok('kept') })
    expect(second.kind === 'replayed' && first.kind === 'served' && second.settlement).toEqual(
      first.kind === 'served' && first.settlement,
    )
    const other = await sign(engine, 'serve-first', id)
    expect(await call(engine, 'serve-first', other)).toMatchObject({
      kind: 'refused',
      failure: 'idempotency_conflict',
      reason: paywallReasons.paymentIdentifierConflict,
    })
    expect(work.runs).toBe(1)
  })
})

describe('shared state', () => {
  test('two engines sharing one store are one paywall: a payment served by one is a replay at the other, its id replays the kept result', async () => {
    const store = createMemoryStore()
    const [a, b] = [0, 1].map(() =>
      createTestEngine(facilitator, { offers: offers(), assets: [devnet.usdc], store }),
    ) as [Engine, Engine]
    const plain = await sign(a, 'serve-first')
    const work = createWork(() => ok('once'))
    expect((await call(a, 'serve-first', plain, work)).kind).toBe('served')
    expect(reasonOf(await call(b, 'serve-first', plain, work))).toBe(
      paywallReasons.duplicateSettlement,
    )
    const withId = await sign(a, 'serve-first', newId())
    expect((await call(a, 'serve-first', withId, work)).kind).toBe('served')
    expect(await call(b, 'serve-first', withId, work)).toMatchObject({
      kind: 'replayed',
      result: ok('once'),
    })
    expect(work.runs).toBe(2)
  })

  test('a store that cannot be asked: refused (retry later), the work never runs, nothing charged', async () => {
    const down: PaywallStore = {
      claim: () => Promise.reject(new Error('connection refused')),
      get: () => Promise.reject(new Error('connection refused')),
      set: () => Promise.reject(new Error('connection refused')),
      delete: () => Promise.reject(new Error('connection refused')),
    }
    const logged: string[] = []
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    diagnostics_channel.subscribe('tollgate:paywall:store-error', listener)
    try {
      const engine = createTestEngine(facilitator, {
        offers: offers(),
        assets: [devnet.usdc],
        store: down,
        logger: { error: (message) => logged.push(message) },
      })
      const payload = await sign(engine, 'serve-first', newId())
      const before = await balanceOf(payTo)
      const work = createWork()
      expect(await call(engine, 'serve-first', payload, work)).toMatchObject({
        kind: 'refused',
        failure: 'store_unavailable',
        stage: 'store',
        reason: paywallReasons.storeUnavailable,
        retryAfterSeconds: 1,
      })
      expect(work.runs).toBe(0)
      expect(await balanceOf(payTo)).toBe(before)
      expect(logged).toEqual(['tollgate paywall: the paywall store failed'])
      expect(events).toHaveLength(1)
    } finally {
      diagnostics_channel.unsubscribe('tollgate:paywall:store-error', listener)
    }
  })
})
