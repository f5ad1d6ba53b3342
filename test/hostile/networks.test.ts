import type { PaymentRequirements } from '@tollgate/core'
import { PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Networks and assets: only those the agent allows, and a route paid on one network or with one
// asset is not paid on another because its next 402 switches.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

beforeAll(() => {
  world = createWorld(devnet)
})

const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
/** Base Sepolia USDC, as the registry knows it. */
const baseSepolia = {
  network: 'eip155:84532',
  asset: baseSepoliaUsdc,
  extra: { name: 'USDC', version: '2' },
}

async function refusal(promise: Promise<unknown>): Promise<PolicyRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PolicyRefusedError)
  return error as PolicyRefusedError
}

function switchingServer(accepts: () => PaymentRequirements[]) {
  return serve((exchange) =>
    exchange.payment ? world.deliver(exchange) : paymentRequired(exchange.url, accepts()),
  )
}

test('a network the agent does not allow is refused', async () => {
  const server = await switchingServer(() => [world.option(baseSepolia)])
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc], policy: { networks: [devnet.network] } })
  const error = await refusal(pay(server.url))
  expect(error).toMatchObject({ guard: 'network', code: 'TOLLGATE_POLICY_NETWORK' })
  expect(signed).toEqual([])
})

test('a route paid on the devnet that switches to Base Sepolia is refused', async () => {
  let accepts = [world.option()]
  const server = await switchingServer(() => accepts)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc] })
  expect((await pay(`${server.url}/report`)).status).toBe(200)
  accepts = [world.option(baseSepolia)]
  const error = await refusal(pay(`${server.url}/report`))
  expect(error).toMatchObject({ guard: 'networkChange', code: 'TOLLGATE_POLICY_NETWORK_CHANGE' })
  expect(error.reason).toBe(
    `route GET ${server.url}/report was paid on ${devnet.network}, not eip155:84532`,
  )
  expect(signed).toHaveLength(1)
})

test('a route paid in one token that switches to another is refused', async () => {
  let accepts = [world.option()]
  const server = await switchingServer(() => accepts)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc, world.usdcAlt] })
  await pay(`${server.url}/report`)
  accepts = [
    world.option({
      asset: world.usdcAlt.address,
      extra: { name: world.usdcAlt.eip712.name, version: world.usdcAlt.eip712.version },
    }),
  ]
  const error = await refusal(pay(`${server.url}/report`))
  expect(error).toMatchObject({ guard: 'assetChange', code: 'TOLLGATE_POLICY_ASSET_CHANGE' })
  expect(signed).toHaveLength(1)
})

test('when the route still offers what it was paid with, that option is kept', async () => {
  let accepts = [world.option({ amount: '20000' })]
  const server = await switchingServer(() => accepts)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc, world.usdcAlt] })
  await pay(`${server.url}/report`)
  // The new, cheaper token is offered beside the old one: the old one is paid.
  accepts = [
    world.option({
      amount: '10000',
      asset: world.usdcAlt.address,
      extra: { name: world.usdcAlt.eip712.name, version: world.usdcAlt.eip712.version },
    }),
    world.option({ amount: '20000' }),
  ]
  const before = await world.balanceOf(world.payee.address)
  expect((await pay(`${server.url}/report`)).status).toBe(200)
  expect((await world.balanceOf(world.payee.address)) - before).toBe(20_000n)
  expect(signed).toHaveLength(2)
})

test('switching is paid when the pin is off', async () => {
  let accepts = [world.option()]
  const server = await switchingServer(() => accepts)
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({
    account,
    assets: [world.usdc, world.usdcAlt],
    policy: { pin: { asset: false } },
  })
  await pay(`${server.url}/report`)
  accepts = [
    world.option({
      asset: world.usdcAlt.address,
      extra: { name: world.usdcAlt.eip712.name, version: world.usdcAlt.eip712.version },
    }),
  ]
  expect((await pay(`${server.url}/report`)).status).toBe(200)
  expect(signed).toHaveLength(2)
})
