import diagnostics from 'node:diagnostics_channel'
import type { PaymentPayload } from '@tollgate/core'
import { cancelAuthorization } from '@tollgate/evm'
import { createPolicy, diagnosticChannels, getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import type { Hex } from 'viem'
import { afterEach, beforeAll, expect, test } from 'vitest'
import {
  createWorld,
  type Exchange,
  paymentRequired,
  useServers,
  withSettlement,
} from '../../hostile/fixtures.js'
import { startRpcProxy } from './rpcProxy.js'

// On-chain `authorizationState` is true for a used and for a cancelled nonce alike: only the
// token's `AuthorizationUsed` event proves a transfer, and `AuthorizationCanceled` proves none
// will happen. The agent reads them through an RPC that refuses `eth_getLogs` over 1,000 blocks
// (as public RPCs do), with the event more than 1,000 blocks behind the head.

const devnet = useDevnet({ accounts: 4 })
const serve = useServers()
let world: ReturnType<typeof createWorld>
const proxies: { close(): Promise<void> }[] = []

beforeAll(() => {
  world = createWorld(devnet)
})
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
})

function nonceOf(payment: PaymentPayload): Hex {
  return (payment.payload as { authorization: { nonce: Hex } }).authorization.nonce
}

/**
 * A server whose payer cancels the authorization just before it settles (the cancellation is mined
 * ahead of the settlement): the settlement fails, and it answers 402 with the failure.
 */
async function frontRunServer(depth: number) {
  return serve(async (exchange: Exchange) => {
    if (!exchange.payment) return paymentRequired(exchange.url, [world.option()])
    const payment = exchange.payment as PaymentPayload
    await cancelAuthorization(world.payer.account, {
      requirements: payment.accepted,
      nonce: nonceOf(payment),
      walletClient: devnet.walletClient(world.payer.account),
    })
    // The head moves on: the cancellation is now `depth` blocks old (a page is 1,000).
    if (depth > 0) await devnet.testClient.mine({ blocks: depth })
    const settlement = await world.settle(payment)
    return withSettlement(settlement, 'payment failed', 402)
  })
}

async function agentBehind(refuseLogs: 'wide' | 'all') {
  const proxy = await startRpcProxy(devnet.rpcUrl, { refuseLogs })
  proxies.push(proxy)
  const policy = createPolicy({ budgets: [{ limit: '$1' }] })
  const pay = wrapFetch({
    account: world.payer.account,
    assets: [world.usdc],
    policy,
    reconcile: { chains: { [devnet.network]: proxy.url } },
  })
  return { pay, policy, proxy }
}

test('a payment cancelled ahead of its settlement is refused, never recorded as paid', async () => {
  const server = await frontRunServer(1_001)
  const { pay, policy, proxy } = await agentBehind('wide')
  const before = await world.balanceOf(world.payee.address)

  const response = await pay(server.url)
  expect(response.status).toBe(402)
  expect(getReceipt(response)).toMatchObject({
    status: 'refused',
    disputed: 'settlement-failed',
    reconciled: { by: 'chain', finding: 'cancelled' },
    transaction: undefined,
  })
  // Nothing moved, and the budget has its money back.
  expect((await world.balanceOf(world.payee.address)) - before).toBe(0n)
  expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 0n })
  // The event was found in pages the RPC accepts, newest first.
  expect(proxy.logQueries.length).toBeGreaterThanOrEqual(2)
  expect(proxy.logQueries.every((range) => range !== undefined && range <= 1_000n)).toBe(true)
})

test('with every log query refused, a cancelled payment stays indeterminate and its money held', async () => {
  const server = await frontRunServer(0)
  const { pay, policy, proxy } = await agentBehind('all')
  const errors: unknown[] = []
  const onError = (message: unknown) => errors.push(message)
  diagnostics.subscribe(diagnosticChannels.error, onError)
  try {
    const response = await pay(server.url)
    expect(response.status).toBe(402)
    // authorizationState is true, and nothing tells used from cancelled: unknown, not paid.
    expect(getReceipt(response)?.status).toBe('indeterminate')
    expect(getReceipt(response)?.reconciled).toBeUndefined()
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10n ** 16n })
    expect(proxy.logQueries.length).toBeGreaterThan(0)
    expect(errors).toEqual([expect.objectContaining({ stage: 'reconcile' })])
  } finally {
    diagnostics.unsubscribe(diagnosticChannels.error, onError)
  }
})

test('a transfer whose answer was lost is proven by its AuthorizationUsed event, found in pages', async () => {
  // The server settles for real, then loses the answer: nothing tells the agent the transaction.
  let settled: string | undefined
  const server = await serve(async (exchange) => {
    if (!exchange.payment) return paymentRequired(exchange.url, [world.option()])
    settled = (await world.settle(exchange.payment)).transaction
    // More than a page of blocks on top of it.
    await devnet.testClient.mine({ blocks: 1_001 })
    return new Response('upstream error', { status: 502 })
  })
  const { pay, policy, proxy } = await agentBehind('wide')
  const lost = getReceipt(await pay(server.url))
  expect(lost).toMatchObject({ status: 'indeterminate', disputed: 'settlement-missing' })

  const [reconciled] = await pay.purchases.reconcile()
  expect(reconciled).toMatchObject({
    status: 'settled',
    disputed: 'not-delivered',
    transaction: settled,
    reconciled: { by: 'chain', finding: 'spent' },
  })
  expect(policy.usage()[0]).toMatchObject({ committed: 10n ** 16n, reserved: 0n })
  expect(proxy.logQueries.every((range) => range !== undefined && range <= 1_000n)).toBe(true)
})
