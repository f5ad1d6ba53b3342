import { agentReferenceKey } from '@tollgate/core'
import { PolicyRefusedError, type VerifyPayee, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { isAddressEqual } from 'viem'
import { beforeAll, expect, test } from 'vitest'
import { createWorld, paymentRequired, recordingAccount, useServers } from './fixtures.js'

// Identity: when a 402 names an ERC-8004 agent, the payee must be that agent's verified wallet.
// `verifyPayee` is where `@tollgate/identity`'s `checkPayee(client, { agent, payTo })` plugs in;
// here a registry held in memory plays the Identity Registry, with the same call shape.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>

const registry = 'eip155:31337:0x8004A169FB4a3325136EB29fA0ceB6D2e539a432'
/** agentId -> verified wallet, as `getAgentWallet` would answer. */
let wallets: Map<bigint, string>

beforeAll(() => {
  world = createWorld(devnet)
  wallets = new Map([[7n, world.payee.address]])
})

/** Stands in for `checkPayee`: throws unless `payTo` is the agent's wallet. */
function createCheckPayee() {
  const calls: { agent: { registry: string; agentId: bigint }; payTo: string }[] = []
  const verifyPayee: VerifyPayee = async ({ agent, payTo }) => {
    calls.push({ agent: { registry: agent.registry, agentId: agent.agentId }, payTo })
    const wallet = agent.registry === registry ? wallets.get(agent.agentId) : undefined
    if (!wallet || !isAddressEqual(wallet as `0x${string}`, payTo as `0x${string}`))
      throw new Error(`payee ${payTo} is not the wallet of agent ${agent.agentId}`)
    return { agentWallet: wallet }
  }
  return { verifyPayee, calls }
}

/** A server naming agent `agentId` in its 402 and asking to pay `payTos`. */
function agentServer(agentId: unknown, payTos: string[]) {
  return serve((exchange) =>
    exchange.payment
      ? world.deliver(exchange)
      : paymentRequired(
          exchange.url,
          payTos.map((payTo) => world.option({ payTo })),
          { [agentReferenceKey]: { info: { agentRegistry: registry, agentId } } },
        ),
  )
}

test("a payee that is not the named agent's wallet is refused, with the hook's error", async () => {
  const server = await agentServer(7, [world.otherPayee.address])
  const { account, signed } = recordingAccount(world.payer.account)
  const { verifyPayee, calls } = createCheckPayee()
  const error = await wrapFetch({ account, assets: [world.usdc], policy: { verifyPayee } })(
    server.url,
  ).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(PolicyRefusedError)
  expect(error).toMatchObject({ guard: 'identity', code: 'TOLLGATE_POLICY_IDENTITY' })
  expect(((error as PolicyRefusedError).cause as Error).message).toBe(
    `payee ${world.otherPayee.address} is not the wallet of agent 7`,
  )
  expect(calls).toEqual([{ agent: { registry, agentId: 7n }, payTo: world.otherPayee.address }])
  expect(signed).toEqual([])
  expect(server.payments()).toEqual([])
})

test("the agent's verified wallet is paid; among options only verified payees are", async () => {
  const server = await agentServer('7', [world.otherPayee.address, world.payee.address])
  const { account, signed } = recordingAccount(world.payer.account)
  const { verifyPayee } = createCheckPayee()
  const before = await world.balanceOf(world.payee.address)
  const response = await wrapFetch({ account, assets: [world.usdc], policy: { verifyPayee } })(
    server.url,
  )
  expect(response.status).toBe(200)
  expect(signed.map((m) => m.to)).toEqual([world.payee.address])
  expect((await world.balanceOf(world.payee.address)) - before).toBe(10_000n)
})

test('a malformed agent claim is refused when payees are verified', async () => {
  const server = await agentServer('not-a-number', [world.payee.address])
  const { account, signed } = recordingAccount(world.payer.account)
  const { verifyPayee, calls } = createCheckPayee()
  await expect(
    wrapFetch({ account, assets: [world.usdc], policy: { verifyPayee } })(server.url),
  ).rejects.toMatchObject({ guard: 'identity' })
  expect(calls).toEqual([])
  expect(signed).toEqual([])
})

test('requireIdentity refuses a server that names no agent', async () => {
  const server = await serve((exchange) => paymentRequired(exchange.url, [world.option()]))
  const { account, signed } = recordingAccount(world.payer.account)
  const { verifyPayee } = createCheckPayee()
  const error = await wrapFetch({
    account,
    assets: [world.usdc],
    policy: { verifyPayee, requireIdentity: true },
  })(server.url).catch((e: unknown) => e)
  expect(error).toMatchObject({ guard: 'identity' })
  expect((error as PolicyRefusedError).reason).toBe('the server names no agent identity')
  expect(signed).toEqual([])
})

test('a 402 listing many payees makes the hook run a few times at most', async () => {
  const payees = Array.from({ length: 40 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`)
  const server = await agentServer(7, payees)
  const { account, signed } = recordingAccount(world.payer.account)
  const { verifyPayee, calls } = createCheckPayee()
  await expect(
    wrapFetch({ account, assets: [world.usdc], policy: { verifyPayee } })(server.url),
  ).rejects.toMatchObject({ guard: 'identity' })
  expect(calls.length).toBe(8)
  expect(signed).toEqual([])
})
