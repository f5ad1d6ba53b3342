// A payer front-runs the settlement with `cancelAuthorization`, mined in the same block just ahead
// of our transaction. `authorizationState` is then true, as for a payment; only the token's log
// tells the two apart. Our paywall (routes in `confirmed`, serve-first and settle-first) and this
// facilitator, over HTTP, on an RPC that acts as hosted providers do: `eth_getLogs` over more than
// 1,000 blocks is refused. The payment is never reported, served or counted as paid.
import { encodePaymentSignatureHeader } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import type { Address, Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createFacilitator, type Facilitator } from '../src/createFacilitator.js'
import { type ServeFacilitatorReturnType, serveFacilitator } from '../src/http/serveFacilitator.js'
import { createSqliteLedger } from '../src/ledger/createSqliteLedger.js'
import type { Ledger } from '../src/ledger/types.js'
import {
  balanceOf,
  devnetAssets,
  mempoolSize,
  pay,
  randomAddress,
  sendCancelAuthorization,
  until,
} from './fixtures.js'
import { createRpcProxy, type RpcProxy } from './rpcProxy.js'

const devnet = useDevnet({ accounts: 4 })
let rpc: RpcProxy
let ledger: Ledger
let facilitator: Facilitator
let service: ServeFacilitatorReturnType
let shop: Awaited<ReturnType<typeof listen>>
const payTo = randomAddress()
const handled: string[] = []

beforeAll(async () => {
  // A chain longer than a provider's log range: a look-back over it is refused in one request.
  await devnet.testClient.mine({ blocks: 1_100 })
  rpc = await createRpcProxy(devnet.rpcUrl, { maxLogRangeBlocks: 1_000 })
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [rpc.url],
        assets: devnetAssets(devnet),
        pollingIntervalMs: 100,
      },
    ],
    signers: [devnet.accounts[3]!.account],
    mode: 'confirmed',
    settleTimeoutMs: 1_500,
  })
  await facilitator.start()
  service = await serveFacilitator(facilitator, { port: 0 })
  const option = {
    price: 5_000n,
    asset: devnet.usdc.address,
    payTo,
    network: devnet.network,
    settlement: 'confirmed',
  } as const
  const app = express()
  app.use(
    createPaywall(createHttpFacilitatorClient({ url: service.url, sendSettlementMode: true }), {
      assets: devnetAssets(devnet),
      routes: {
        'GET /serve-first': { ...option, order: 'serve-first' },
        'GET /settle-first': { ...option, order: 'settle-first' },
      },
    }),
  )
  for (const path of ['/serve-first', '/settle-first'])
    app.get(path, (_req, res) => {
      handled.push(path)
      res.json({ report: 'paid content' })
    })
  shop = await listen(app)
})

afterEach(async () => {
  await devnet.testClient.setAutomine(true)
})

afterAll(async () => {
  await shop?.close()
  await service?.close()
  await facilitator?.close()
  await ledger?.close()
  await rpc?.close()
})

/**
 * Pays `path` with a fresh authorization of `payer` while the payer's cancel of the same nonce
 * waits in the mempool with a higher tip; mines the block that holds both once ours is broadcast.
 */
async function payWhileCanceled(path: string, payerIndex: number) {
  const payer = devnet.accounts[payerIndex]!
  const challenge = await fetch(`${shop.url}${path}`)
  expect(challenge.status).toBe(402)
  const offered = (await challenge.json()).accepts[0]
  const payload = await pay(payer.account, {
    scheme: 'exact',
    network: devnet.network,
    amount: offered.maxAmountRequired,
    asset: offered.asset,
    payTo: offered.payTo,
    maxTimeoutSeconds: offered.maxTimeoutSeconds,
    extra: offered.extra,
  })
  const nonce = (payload.payload.authorization as { nonce: Hex }).nonce
  await devnet.testClient.setAutomine(false)
  await sendCancelAuthorization(devnet, payer.account, nonce)
  const answer = fetch(`${shop.url}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  })
  await until(async () => (await mempoolSize(devnet)) === 2, { message: 'our settlement' })
  await devnet.testClient.mine({ blocks: 1 })
  await devnet.testClient.setAutomine(true)
  const response = await answer
  const key = {
    chainId: devnet.chainId,
    asset: devnet.usdc.address,
    payer: payer.address as Address,
    nonce,
  }
  return { response, body: await response.text(), row: await ledger.get(key), key }
}

describe('the payer cancels in the block of our settlement', () => {
  for (const [path, payerIndex] of [
    ['/serve-first', 0],
    ['/settle-first', 1],
  ] as const)
    test(`${path}: the settlement fails as canceled, the content is not delivered as paid`, async () => {
      const refusedBefore = rpc.refusals
      const handledBefore = handled.length
      const { response, body, row } = await payWhileCanceled(path, payerIndex)
      expect(response.status).toBe(402)
      expect(body).not.toContain('paid content')
      // Serve-first ran its handler and withheld the response; settle-first never ran it.
      expect(handled.slice(handledBefore)).toEqual(path === '/serve-first' ? [path] : [])
      expect(row).toMatchObject({ state: 'failed', reason: 'authorization_canceled' })
      expect(await balanceOf(devnet, payTo)).toBe(0n)
      // The provider's rule was in force: the facilitator read the logs in pages it serves.
      expect(rpc.served).toBeGreaterThan(0)
      expect(rpc.refusals).toBe(refusedBefore)
    })

  test('with no logs served at all, the outcome stays open: never confirmed, never served', async () => {
    rpc.setMaxLogRangeBlocks(0)
    try {
      const { response, body, key } = await payWhileCanceled('/serve-first', 2)
      expect(response.status).toBe(402)
      expect(body).not.toContain('paid content')
      // Once the settler has read our receipt, the row is parked: open, not sent again.
      await until(async () => (await ledger.get(key))?.state !== 'submitted')
      expect(await ledger.get(key)).toMatchObject({
        state: 'queued',
        reason: 'authorization_outcome_unknown',
      })
      expect(await balanceOf(devnet, payTo)).toBe(0n)
    } finally {
      rpc.setMaxLogRangeBlocks(1_000)
    }
    // Logs served again: the next look-up proves the cancel.
    const rows = await ledger.list({ chainId: devnet.chainId, states: ['queued'] })
    expect(rows.length).toBe(1)
    await until(async () => (await ledger.get(rows[0]!))?.state === 'failed', {
      message: 'the cancel found',
    })
    expect(await ledger.get(rows[0]!)).toMatchObject({ reason: 'authorization_canceled' })
  })
})
