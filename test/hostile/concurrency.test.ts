import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import {
  BudgetExceededError,
  createMemoryReceiptLog,
  PolicyRefusedError,
  RateLimitedError,
  wrapFetch,
} from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// The guards under concurrency: 100 calls in parallel against an over-budget paywall or a hostile
// server sign nothing beyond the limits, because the choice, the checks of the route's memory and
// the reservations happen in one synchronous step.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

function parallel<value>(count: number, call: (index: number) => Promise<value>) {
  return Promise.allSettled(Array.from({ length: count }, (_, index) => call(index)))
}

function rejections(results: PromiseSettledResult<unknown>[]): unknown[] {
  return results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
}

test('100 parallel calls to a paywall at $0.60: the default host budget pays 8, on-chain', async () => {
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(world.operator.account),
    assets: [world.usdc],
  })
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [world.usdc],
      routes: {
        'GET /report': { price: '$0.60', payTo: world.payee.address, network: devnet.network },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  const server = await listen(app)
  try {
    const { account, signed } = recordingAccount(world.payer.account)
    const log = createMemoryReceiptLog()
    const pay = wrapFetch({ account, assets: [world.usdc], receipts: log })
    const before = await world.balanceOf(world.payee.address)
    const results = await parallel(100, async () => (await pay(`${server.url}/report`)).status)
    const refused = rejections(results)
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === 200)).toHaveLength(8)
    expect(refused).toHaveLength(92)
    for (const error of refused)
      expect(error).toMatchObject({ name: 'BudgetExceededError', scope: 'host' })
    expect(refused.every((e) => e instanceof BudgetExceededError)).toBe(true)
    expect(signed).toHaveLength(8)
    expect((await world.balanceOf(world.payee.address)) - before).toBe(8n * 600_000n)
    expect((await log.list()).map((r) => r.status)).toEqual(Array(8).fill('settled'))
  } finally {
    await server.close()
  }
})

test('100 parallel calls to a server naming a new payee in every 402: one payee is paid once', async () => {
  let count = 0
  const server = await serve((exchange) =>
    exchange.payment
      ? world.deliver(exchange)
      : paymentRequired(exchange.url, [
          world.option({ payTo: `0x${(++count).toString(16).padStart(40, '0')}` }),
        ]),
  )
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const results = await parallel(100, () => pay(`${server.url}/report`))
  const refused = rejections(results)
  expect(signed).toHaveLength(1)
  expect(refused).toHaveLength(99)
  expect(refused.every((e) => e instanceof PolicyRefusedError && e.guard === 'payeeChange')).toBe(
    true,
  )
  expect(server.payments()).toHaveLength(1)
})

test('100 parallel calls to a 402 storm: the rate limit lets 60 through, then none', async () => {
  // Keeps every authorization and asks again; holds its answers until 60 payments are in (or ten
  // seconds have passed), so no 402 comes back while the calls race for the rate limit.
  let paid = 0
  let release: () => void = () => {}
  let timer: NodeJS.Timeout | undefined
  const sixty = new Promise<void>((resolve) => {
    release = resolve
    timer = setTimeout(resolve, 10_000)
  })
  const server = await serve(async (exchange) => {
    if (exchange.payment && ++paid === 60) release()
    if (exchange.payment) await sixty
    return paymentRequired(exchange.url, [world.option()])
  })
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const results = await parallel(100, () => pay(`${server.url}/report`))
  clearTimeout(timer)
  const refused = rejections(results)
  expect(signed).toHaveLength(60)
  expect(refused).toHaveLength(40)
  expect(refused.every((e) => e instanceof RateLimitedError)).toBe(true)
  expect(server.payments()).toHaveLength(60)
  // The 402s the storm answered with now block the route outright.
  await expect(pay(`${server.url}/report`)).rejects.toMatchObject({ kind: 'refused' })
  expect(signed).toHaveLength(60)
})

test('100 parallel calls to a 402 storm answering at once: three refusals stop it', async () => {
  const server = await serve((exchange) => paymentRequired(exchange.url, [world.option()]))
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const results = await parallel(100, () => pay(`${server.url}/report`))
  // Payments race the storm's answers: never more than the rate limit, and every call beyond
  // them refused by it.
  expect(signed.length).toBeGreaterThanOrEqual(3)
  expect(signed.length).toBeLessThanOrEqual(60)
  const refused = rejections(results)
  expect(refused).toHaveLength(100 - signed.length)
  expect(refused.every((e) => e instanceof RateLimitedError)).toBe(true)
  await expect(pay(`${server.url}/report`)).rejects.toMatchObject({ kind: 'refused' })
})

test('100 parallel calls to a server above the cap sign nothing', async () => {
  const server = await serve((exchange) =>
    paymentRequired(exchange.url, [world.option({ amount: '5000000' })]),
  )
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const refused = rejections(await parallel(100, () => pay(`${server.url}/report`)))
  expect(refused).toHaveLength(100)
  expect(refused.every((e) => (e as PolicyRefusedError).guard === 'maxPerRequest')).toBe(true)
  expect(signed).toEqual([])
})
