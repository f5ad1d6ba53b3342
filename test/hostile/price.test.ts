import type { PaymentRequirements } from '@tollgate/core'
import { PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, describe, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Price expectations: a server that asks more than the agent expects for the route (from a price
// list, from what it paid before, from a registration file) or more than the per-request cap is
// refused before anything is signed; among acceptable options the cheapest is paid.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

/** A server whose 402 asks what `accepts()` returns now, and settles what it is paid. */
function pricedServer(accepts: () => PaymentRequirements[]) {
  return serve((exchange) =>
    exchange.payment ? world.deliver(exchange) : paymentRequired(exchange.url, accepts()),
  )
}

async function refusal(promise: Promise<unknown>): Promise<PolicyRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PolicyRefusedError)
  return error as PolicyRefusedError
}

describe('price list', () => {
  test('a challenge above the listed price for the host is refused; nothing is signed', async () => {
    const server = await pricedServer(() => [world.option({ amount: '20000' })])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({
      account,
      assets: [world.usdc],
      policy: { prices: { [server.host]: '$0.01' } },
    })
    const error = await refusal(pay(`${server.url}/report`))
    expect(error).toMatchObject({ guard: 'price', code: 'TOLLGATE_POLICY_PRICE' })
    expect(error.refusal.values).toMatchObject({ amount: 20_000n, expected: 10_000n })
    expect(error.shortMessage).toBe(
      `Payment refused by the price rule: 20000 (0.02) is above the expected 10000 (0.01) (${server.host}).`,
    )
    expect(signed).toEqual([])
    expect(server.payments()).toEqual([])
  })

  test('a route entry wins over the host entry', async () => {
    const server = await pricedServer(() => [world.option({ amount: '20000' })])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({
      account,
      assets: [world.usdc],
      policy: {
        prices: { [server.host]: '$0.01', [`GET ${server.url}/premium`]: '$0.05' },
      },
    })
    expect((await pay(`${server.url}/premium`)).status).toBe(200)
    expect((await refusal(pay(`${server.url}/basic`))).guard).toBe('price')
    expect(signed.map((m) => m.value)).toEqual([20_000n])
  })
})

describe('learnt prices', () => {
  test('a route paid 0.01 that asks 0.05 is refused; up to twice the price is paid', async () => {
    let price = '10000'
    const server = await pricedServer(() => [world.option({ amount: price })])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({ account, assets: [world.usdc] })
    const before = await world.balanceOf(world.payee.address)
    expect((await pay(`${server.url}/report`)).status).toBe(200)
    price = '50000'
    const error = await refusal(pay(`${server.url}/report`))
    expect(error.guard).toBe('price')
    expect(error.refusal.values).toMatchObject({ learnt: 10_000n, expected: 20_000n })
    price = '20000'
    expect((await pay(`${server.url}/report`)).status).toBe(200)
    expect(signed.map((m) => m.value)).toEqual([10_000n, 20_000n])
    expect((await world.balanceOf(world.payee.address)) - before).toBe(30_000n)
  })

  test('a price creeping up call after call is compared with the lowest price paid', async () => {
    const prices = ['10000', '20000', '20000', '30000']
    const server = await pricedServer(() => [world.option({ amount: prices.shift()! })])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({ account, assets: [world.usdc] })
    for (let i = 0; i < 3; i++) await pay(`${server.url}/report`)
    // 0.03 is within 100% of the last price (0.02), not of the first (0.01).
    expect((await refusal(pay(`${server.url}/report`))).guard).toBe('price')
    expect(signed.map((m) => m.value)).toEqual([10_000n, 20_000n, 20_000n])
  })

  test('learning can be turned off', async () => {
    let price = '10000'
    const server = await pricedServer(() => [world.option({ amount: price })])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({ account, assets: [world.usdc], policy: { learnPrices: false } })
    await pay(`${server.url}/report`)
    price = '50000'
    expect((await pay(`${server.url}/report`)).status).toBe(200)
    expect(signed.map((m) => m.value)).toEqual([10_000n, 50_000n])
  })
})

describe('expected price from a registration file', () => {
  test('the callback reads the price the agent published; a 402 above it is refused', async () => {
    // The seller's registration file lists its service with a price.
    const registration = await serve(() =>
      Response.json({ services: [{ name: 'web', endpoint: '/report', price: '$0.01' }] }),
    )
    const server = await pricedServer(() => [world.option({ amount: '15000' })])
    const { account, signed } = recordingAccount(world.payer.account)
    const asked: string[] = []
    const pay = wrapFetch({
      account,
      assets: [world.usdc],
      policy: {
        expectPrice: async ({ url }) => {
          asked.push(url.pathname)
          const file = (await (await fetch(`${registration.url}/agent.json`)).json()) as {
            services: { endpoint: string; price: string }[]
          }
          return file.services.find((s) => s.endpoint === url.pathname)?.price
        },
      },
    })
    const error = await refusal(pay(`${server.url}/report`))
    expect(error.refusal.values).toMatchObject({ expected: 10_000n, source: 'expectPrice' })
    expect(asked).toEqual(['/report'])
    expect(signed).toEqual([])
  })

  test('a callback that fails refuses the payment, with its error as the cause', async () => {
    const server = await pricedServer(() => [world.option()])
    const { account, signed } = recordingAccount(world.payer.account)
    const pay = wrapFetch({
      account,
      assets: [world.usdc],
      policy: {
        expectPrice: () => {
          throw new Error('registration file unreachable')
        },
      },
    })
    const error = await refusal(pay(`${server.url}/report`))
    expect(error.guard).toBe('price')
    expect((error.cause as Error).message).toBe('registration file unreachable')
    expect(signed).toEqual([])
  })
})

test('above the per-request cap ($1 by default) is refused', async () => {
  const server = await pricedServer(() => [world.option({ amount: '1000001' })])
  const { account, signed } = recordingAccount(world.payer.account)
  const error = await refusal(wrapFetch({ account, assets: [world.usdc] })(server.url))
  expect(error).toMatchObject({ guard: 'maxPerRequest', code: 'TOLLGATE_POLICY_MAX_PER_REQUEST' })
  expect(signed).toEqual([])
})

test('among several acceptable options the cheapest is paid, not the first', async () => {
  const server = await pricedServer(() => [
    world.option({ amount: '50000' }),
    world.option({ amount: '1500000' }), // above the cap
    world.option({ amount: '10000' }),
    world.option({ amount: '20000' }),
  ])
  const { account, signed } = recordingAccount(world.payer.account)
  const before = await world.balanceOf(world.payee.address)
  const response = await wrapFetch({ account, assets: [world.usdc] })(server.url)
  expect(response.status).toBe(200)
  expect(signed.map((m) => m.value)).toEqual([10_000n])
  expect((await world.balanceOf(world.payee.address)) - before).toBe(10_000n)
})
