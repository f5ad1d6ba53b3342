// Pending settlements with our facilitator service, over HTTP, on anvil with mining under the
// test's control (the slowest blocks there are): `/settle` answers the reference
// `settlement_pending` shape with the broadcast hash and reconciles a retried `/settle` against
// it; our paywall retries once and delivers; the status endpoint reports every state.

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequirements,
  reasons,
} from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaywall } from '@tollgate/express'
import {
  createFacilitator,
  createSqliteLedger,
  type Facilitator,
  type Ledger,
  serveFacilitator,
} from '@tollgate/facilitator'
import { listen, useDevnet } from '@tollgate/test'
import { HTTPFacilitatorClient } from '@x402/core/http'
import express from 'express'
import type { Address, Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  balanceOf,
  devnetAssets,
  pay,
  randomAddress,
  requirementsFor,
  until,
} from '../../packages/facilitator/test/fixtures.js'
import { createTcpProxy, type TcpProxy } from '../../packages/facilitator/test/tcpProxy.js'

const devnet = useDevnet({ accounts: 4 })
let rpc: TcpProxy
let ledger: Ledger
let facilitator: Facilitator
let service: Awaited<ReturnType<typeof serveFacilitator>>
let signer: Address

beforeAll(async () => {
  // The facilitator reaches anvil through a proxy the status test can cut.
  rpc = await createTcpProxy(devnet.rpcUrl)
  ledger = await createSqliteLedger(':memory:')
  signer = devnet.accounts[3]!.address
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [rpc.url],
        assets: devnetAssets(devnet),
        pollingIntervalMs: 100,
        rpcTimeoutMs: 1_000,
      },
    ],
    signers: [devnet.accounts[3]!.account],
    mode: 'confirmed',
    // The receipt wait: short, so an unmined transaction answers `settlement_pending` quickly.
    settleTimeoutMs: 800,
    // No fee-bumped replacement during a test (it would carry another hash), and no giving up.
    settler: { replaceAfterMs: 600_000, maxAttempts: 1_000 },
  })
  await facilitator.start()
  service = await serveFacilitator(facilitator, { port: 0 })
})

afterAll(async () => {
  await service?.close()
  await facilitator?.close()
  await ledger?.close()
  await rpc?.close()
})

let rpcStopped = false
afterEach(async () => {
  if (rpcStopped) await rpc.start()
  rpcStopped = false
  await devnet.testClient.setAutomine(true)
})

const sentBySigner = () => devnet.publicClient.getTransactionCount({ address: signer })

async function mempool(): Promise<number> {
  const content = await devnet.testClient.getTxpoolContent()
  return Object.values(content.pending).flatMap((byNonce) => Object.values(byNonce)).length
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

function settleBody(paymentPayload: PaymentPayload, paymentRequirements: PaymentRequirements) {
  return { x402Version: 2, paymentPayload, paymentRequirements }
}

describe('POST /settle on a receipt timeout', () => {
  test('answers the reference settlement_pending shape and reconciles retries against the broadcast transaction', async () => {
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 1_234n })
    const payload = await pay(devnet.accounts[0]!.account, requirements)
    const nonceBefore = await sentBySigner()
    await devnet.testClient.setAutomine(false)

    const first = await post('/settle', settleBody(payload, requirements))
    expect(first.status).toBe(200)
    const pending = await first.json()
    expect(pending).toEqual({
      success: false,
      errorReason: reasons.settlementPending,
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      network: devnet.network,
      payer: devnet.accounts[0]!.address,
    })

    // The reference client reads it as a settle answer, and a retry sends nothing new.
    const reference = new HTTPFacilitatorClient({ url: service.url })
    const again = await reference.settle(payload as never, requirements as never)
    expect(again).toMatchObject({
      success: false,
      errorReason: reasons.settlementPending,
      transaction: pending.transaction,
    })
    expect(await mempool()).toBe(1)

    await devnet.testClient.mine({ blocks: 1 })
    const settled = await (await post('/settle', settleBody(payload, requirements))).json()
    expect(settled).toEqual({
      success: true,
      transaction: pending.transaction,
      network: devnet.network,
      payer: devnet.accounts[0]!.address,
    })
    expect(await sentBySigner()).toBe(nonceBefore + 1)
    expect(await balanceOf(devnet, payTo)).toBe(1_234n)
  })
})

describe('our paywall in front of the facilitator service', () => {
  let paid: Awaited<ReturnType<typeof listen>>
  let proxy: Server
  let proxyUrl: string
  const settleAnswers: { success: boolean; errorReason?: string; transaction: string }[] = []
  let payTo: Address
  let served = 0

  beforeAll(async () => {
    // A loopback proxy in front of the facilitator: it passes every call through and, when a
    // `/settle` answer is `settlement_pending`, lets a block be mined before the answer goes back
    // (the block that comes while the paywall is between its two calls).
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const upstream = await fetch(`${service.url}${req.url}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json' },
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      })
      const text = await upstream.text()
      if (req.url === '/settle') {
        const answer = JSON.parse(text)
        settleAnswers.push(answer)
        if (answer.errorReason === reasons.settlementPending)
          await devnet.testClient.mine({ blocks: 1 })
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' })
      res.end(text)
    })
    proxy.listen(0, '127.0.0.1')
    await once(proxy, 'listening')
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`

    payTo = randomAddress()
    const app = express()
    app.use(
      createPaywall(createHttpFacilitatorClient({ url: proxyUrl, sendSettlementMode: true }), {
        assets: devnetAssets(devnet),
        routes: {
          'GET /report': {
            price: 5_000n, // atomic units (a string would be 5,000 tokens)
            asset: devnet.usdc.address,
            payTo,
            network: devnet.network,
            settlement: 'confirmed',
          },
        },
      }),
    )
    app.get('/report', (_req, res) => {
      served++
      res.json({ report: 'paid content' })
    })
    paid = await listen(app)
  })

  afterAll(async () => {
    await paid?.close()
    proxy?.closeAllConnections()
    proxy?.close()
  })

  test('settlement_pending once: one settle transaction on-chain, the response delivered with a successful PAYMENT-RESPONSE', async () => {
    const challenge = await fetch(`${paid.url}/report`)
    expect(challenge.status).toBe(402)
    const requirements = (await challenge.json()).accepts[0]
    const payload = await pay(devnet.accounts[1]!.account, {
      scheme: 'exact',
      network: devnet.network,
      amount: requirements.maxAmountRequired,
      asset: requirements.asset,
      payTo: requirements.payTo,
      maxTimeoutSeconds: requirements.maxTimeoutSeconds,
      extra: requirements.extra,
    })
    const nonceBefore = await sentBySigner()
    await devnet.testClient.setAutomine(false)

    const response = await fetch(`${paid.url}/report`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'paid content' })
    const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({ success: true, network: devnet.network })

    // Two calls: pending with the broadcast hash, then success with the same hash.
    expect(settleAnswers).toEqual([
      expect.objectContaining({
        success: false,
        errorReason: reasons.settlementPending,
        transaction: settlement.transaction,
      }),
      expect.objectContaining({ success: true, transaction: settlement.transaction }),
    ])
    expect(await sentBySigner()).toBe(nonceBefore + 1)
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settlement.transaction as Hex,
    })
    expect(receipt.status).toBe('success')
    expect(await balanceOf(devnet, payTo)).toBe(5_000n)
    expect(served).toBe(1)
  })
})

describe('GET /settlements (status)', () => {
  type Status = {
    chainId: number
    network: string
    asset: string
    payer: string
    nonce: string
    payee: string
    value: string
    state: string
    transaction: string
    blockNumber: string | null
    confirmations: string | null
    reason: string | null
    paymentId: string | null
    updatedAt: number
  }

  test('by authorization and by payment id: verified, queued, submitted, confirmed; unknown is 404', async () => {
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 777n })
    const paymentId = `status_${crypto.randomUUID().replace(/-/g, '')}`
    const payer = devnet.accounts[2]!.address
    const payload = await pay(devnet.accounts[2]!.account, requirements, { paymentId })
    const nonce = (payload.payload.authorization as { nonce: Hex }).nonce
    const byKey = `${service.url}/settlements/${devnet.chainId}/${devnet.usdc.address}/${payer}/${nonce}`
    const byId = `${service.url}/settlements?paymentId=${paymentId}`
    const read = async (url: string) => {
      const response = await fetch(url)
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
      return response.json()
    }
    const status = async (): Promise<Status> => read(byKey)

    // Unknown authorization, unknown id: 404.
    const unknown = await fetch(byKey)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: 'not_found' })
    expect((await fetch(byId)).status).toBe(404)

    expect((await (await post('/verify', settleBody(payload, requirements))).json()).isValid).toBe(
      true,
    )
    expect(await status()).toMatchObject({
      state: 'verified',
      transaction: '',
      confirmations: null,
    })

    // The node is unreachable: the settlement is queued, and stays queued.
    await rpc.stop()
    rpcStopped = true
    const queued = await (
      await post('/settle', { ...settleBody(payload, requirements), settlement: 'queued' })
    ).json()
    expect(queued).toMatchObject({ success: true, transaction: '' })
    const whileQueued = await status()
    expect(whileQueued).toEqual({
      chainId: devnet.chainId,
      network: devnet.network,
      asset: devnet.usdc.address.toLowerCase(),
      payer: payer.toLowerCase(),
      nonce: nonce.toLowerCase(),
      payee: payTo.toLowerCase(),
      value: '777',
      state: 'queued',
      transaction: '',
      blockNumber: null,
      confirmations: null,
      paymentId,
      // A failed broadcast attempt leaves its reason; the row stays queued.
      reason: whileQueued.reason,
      updatedAt: expect.any(Number),
    })
    expect(await read(byId)).toEqual({ settlements: [whileQueued] })

    // Back, with mining off: the transaction is broadcast and waits in the mempool.
    await devnet.testClient.setAutomine(false)
    await rpc.start()
    rpcStopped = false
    await until(async () => (await status()).state === 'submitted', { timeoutMs: 15_000 })
    const submitted = await status()
    expect(submitted.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    expect(submitted.confirmations).toBeNull()
    // The CAIP-2 chain form and checksummed or lowercase hex name the same settlement.
    expect(
      await read(
        `${service.url}/settlements/${devnet.network}/${devnet.usdc.address.toLowerCase()}/${payer.toLowerCase()}/${nonce}`,
      ),
    ).toMatchObject({ state: 'submitted', transaction: submitted.transaction })

    await devnet.testClient.mine({ blocks: 1 })
    await until(async () => (await status()).state === 'confirmed', { timeoutMs: 15_000 })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: submitted.transaction as Hex,
    })
    await devnet.testClient.mine({ blocks: 2 })
    await until(async () => (await status()).confirmations === '3', { timeoutMs: 15_000 })
    const confirmed = await status()
    expect(confirmed).toMatchObject({
      state: 'confirmed',
      transaction: submitted.transaction,
      blockNumber: receipt.blockNumber.toString(),
      confirmations: '3',
    })
    // Confirmations count the receipt's block: head - block + 1.
    expect(BigInt(confirmed.confirmations!)).toBe(
      (await devnet.publicClient.getBlockNumber()) - receipt.blockNumber + 1n,
    )
    expect(await read(byId)).toEqual({ settlements: [confirmed] })
    expect(await balanceOf(devnet, payTo)).toBe(777n)

    // Malformed paths are 400, not 404.
    expect((await fetch(`${service.url}/settlements/abc/0x1/0x2/0x3`)).status).toBe(400)
    expect((await fetch(`${service.url}/settlements`)).status).toBe(400)
  })
})
