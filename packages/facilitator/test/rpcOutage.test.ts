// RPC faults: a loopback proxy in front of anvil is stopped for seconds (connections refused), or
// cuts the connection after forwarding each broadcast (the node acts on it, the answer is lost). Nothing is lost, nothing is paid
// twice, and nothing answers `success: false` except `settlement_pending`.
import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createFacilitator, type Facilitator } from '../src/createFacilitator.js'
import { createSqliteLedger } from '../src/ledger/createSqliteLedger.js'
import type { Ledger } from '../src/ledger/types.js'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  failedItems,
  isAuthorizationUsed,
  pay,
  randomAddress,
  requirementsFor,
  until,
} from './fixtures.js'
import { createTcpProxy, type TcpProxy } from './tcpProxy.js'

const devnet = useDevnet({ accounts: 5 })
let proxy: TcpProxy
let deadProxy: TcpProxy
let facilitator: Facilitator
let ledger: Ledger
let batchSettler: Address
let startBlock: bigint

beforeAll(async () => {
  proxy = await createTcpProxy(devnet.rpcUrl)
  deadProxy = await createTcpProxy(devnet.rpcUrl)
  await deadProxy.stop()
  batchSettler = await deployBatchSettler(devnet)
  startBlock = await devnet.publicClient.getBlockNumber()
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        // The first URL is down for good: every request fails over to the proxy.
        rpcUrls: [deadProxy.url, proxy.url],
        assets: devnetAssets(devnet),
        batchSettler,
        pollingIntervalMs: 100,
        rpcTimeoutMs: 1_000,
      },
    ],
    signers: [devnet.accounts[4]!.account],
    mode: 'submitted',
    settleTimeoutMs: 2_000,
    settler: { rebroadcastAfterMs: 500 },
  })
  await facilitator.start()
})

afterAll(async () => {
  await facilitator?.close()
  await ledger?.close()
  await proxy?.close()
  await deadProxy?.close()
})

function nonceOf(payload: { payload: Record<string, unknown> }): Hex {
  return (payload.payload.authorization as { nonce: Hex }).nonce
}

test('an RPC outage of seconds loses nothing; settles resume when the node is back', async () => {
  const payTo = randomAddress()
  const requirements = requirementsFor(devnet, { payTo, amount: 100n })
  const payers = [0, 1, 2, 3].map((i) => devnet.accounts[i]!)
  const payloads = await Promise.all(
    Array.from({ length: 12 }, (_, i) => pay(payers[i % 4]!.account, requirements)),
  )
  for (const paymentPayload of payloads)
    expect(
      (await facilitator.verify({ paymentPayload, paymentRequirements: requirements })).isValid,
    ).toBe(true)

  await proxy.stop()
  const during = await Promise.all(
    payloads.map((paymentPayload) =>
      facilitator.settle({ paymentPayload, paymentRequirements: requirements }),
    ),
  )
  for (const answer of during)
    if (!answer.success) expect(answer.errorReason).toBe(reasons.settlementPending)
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  expect(await balanceOf(devnet, payTo)).toBe(0n)
  await proxy.start()

  await until(async () => (await balanceOf(devnet, payTo)) === 1_200n, { message: 'settlements' })
  const after = await Promise.all(
    payloads.map((paymentPayload) =>
      facilitator.settle({
        paymentPayload,
        paymentRequirements: requirements,
        settlement: 'confirmed',
      }),
    ),
  )
  expect(after.every((a) => a.success)).toBe(true)
  for (const [index, payload] of payloads.entries())
    expect(await isAuthorizationUsed(devnet, payers[index % 4]!.address, nonceOf(payload))).toBe(
      true,
    )
  expect(await balanceOf(devnet, payTo)).toBe(1_200n)
})

test('broadcasts whose answers are lost (the node mined them): no second transaction', async () => {
  const payTo = randomAddress()
  const requirements = requirementsFor(devnet, { payTo, amount: 7n })
  const payloads = await Promise.all(
    Array.from({ length: 6 }, (_, i) => pay(devnet.accounts[i % 4]!.account, requirements)),
  )
  for (const paymentPayload of payloads)
    await facilitator.verify({ paymentPayload, paymentRequirements: requirements })
  const sentBefore = facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent

  proxy.dropAnswersTo('eth_sendRawTransaction')
  const during = await Promise.all(
    payloads.map((paymentPayload) =>
      facilitator.settle({ paymentPayload, paymentRequirements: requirements }),
    ),
  )
  // The broadcast never got an answer; the receipts (read on new blocks) tell what happened.
  for (const answer of during)
    if (!answer.success) expect(answer.errorReason).toBe(reasons.settlementPending)
  await until(async () => (await balanceOf(devnet, payTo)) === 42n, { message: 'mined' })
  proxy.dropAnswersTo(undefined)

  const after = await Promise.all(
    payloads.map((paymentPayload) =>
      facilitator.settle({
        paymentPayload,
        paymentRequirements: requirements,
        settlement: 'confirmed',
      }),
    ),
  )
  expect(after.every((a) => a.success)).toBe(true)
  expect(new Set(after.map((a) => a.transaction)).size).toBe(
    facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent - sentBefore,
  )
  expect(await balanceOf(devnet, payTo)).toBe(42n)
  // No authorization was ever sent twice: the batch settler never saw a used nonce.
  expect(await failedItems(devnet, batchSettler, startBlock)).toEqual([])
  const rows = await ledger.list({ chainId: devnet.chainId, states: ['confirmed'] })
  expect(rows.every((row) => row.attempts === 1)).toBe(true)
})
