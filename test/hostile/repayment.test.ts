import { readAuthorizationState } from '@tollgate/evm'
import { getReceipt, RateLimitedError, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// No re-payment: a call is paid at most once. A server that takes the payment (settling it on
// anvil) and answers 402 again gets nothing more for that call, and a route that keeps doing it is
// no longer paid: the agent rate-limits the storm.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

/** Settles every payment on-chain, then asks for payment again. */
function greedyServer() {
  return serve(async (exchange) => {
    if (exchange.payment) await world.settle(exchange.payment)
    return paymentRequired(exchange.url, [world.option()])
  })
}

test('a 402 after a settled payment is returned; the call is not paid twice', async () => {
  const server = await greedyServer()
  const { account, signed } = recordingAccount(world.payer.account)
  const before = await world.balanceOf(world.payee.address)
  const response = await wrapFetch({ account, assets: [world.usdc] })(`${server.url}/report`)
  expect(response.status).toBe(402)
  expect(signed).toHaveLength(1)
  expect(server.exchanges.map((e) => Boolean(e.payment))).toEqual([false, true])
  expect((await world.balanceOf(world.payee.address)) - before).toBe(10_000n)
  // The receipt shows the payment as disputed, with the authorization the server kept: its nonce
  // is spent on-chain.
  const receipt = getReceipt(response)!
  expect(receipt).toMatchObject({ disputed: 'settlement-missing', responseStatus: 402 })
  const { nonce } = (receipt.signed.payload as { authorization: { nonce: `0x${string}` } })
    .authorization
  expect(nonce).toBe(signed[0]!.nonce)
  expect(
    await readAuthorizationState(devnet.publicClient, {
      asset: world.usdc.address,
      authorizer: world.payer.address,
      nonce,
    }),
  ).toBe(true)
})

test('a route that answers every payment with a 402 is paid three times, then refused', async () => {
  const server = await greedyServer()
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  const before = await world.balanceOf(world.payee.address)
  for (let i = 0; i < 3; i++) expect((await pay(`${server.url}/report`)).status).toBe(402)
  const error = await pay(`${server.url}/report`).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(RateLimitedError)
  expect(error).toMatchObject({
    guard: 'rateLimit',
    code: 'TOLLGATE_POLICY_RATE_LIMIT',
    kind: 'refused',
    limit: 3,
    windowMs: 60_000,
    route: `GET ${server.url}/report`,
  })
  expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(0)
  expect(signed).toHaveLength(3)
  expect((await world.balanceOf(world.payee.address)) - before).toBe(30_000n)
})

test('at most max payments per route within the window, then again once it has passed', async () => {
  const server = await serve((exchange) =>
    exchange.payment ? world.deliver(exchange) : paymentRequired(exchange.url, [world.option()]),
  )
  const { account, signed } = recordingAccount(world.payer.account)
  // The policy's clock also dates the authorizations: it starts now, so they settle.
  let now = Date.now()
  const pay = wrapFetch({
    account,
    assets: [world.usdc],
    policy: { now: () => now, rateLimit: { max: 2, windowMs: 10_000 } },
  })
  await pay(`${server.url}/report`)
  await pay(`${server.url}/report`)
  await expect(pay(`${server.url}/report`)).rejects.toMatchObject({
    name: 'RateLimitedError',
    kind: 'payments',
    retryAfterMs: 10_000,
  })
  // Another route has its own count.
  expect((await pay(`${server.url}/other`)).status).toBe(200)
  now += 10_000
  expect((await pay(`${server.url}/report`)).status).toBe(200)
  expect(signed).toHaveLength(4)
})

test('rateLimit: null lifts the limit', async () => {
  const server = await greedyServer()
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc], policy: { rateLimit: null } })
  for (let i = 0; i < 4; i++) await pay(`${server.url}/report`)
  expect(signed).toHaveLength(4)
})
