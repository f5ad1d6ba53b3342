// Our facilitator service (`@tollgate/facilitator`, over HTTP, SQLite ledger) settles Permit2
// payments on anvil: behind the reference server (`@x402/express` with `HTTPFacilitatorClient`, paid
// by `@x402/fetch`), and behind our paywall paid by our fetch (ours end to end), for `exact` on a
// token without EIP-3009 and for `upto`; 50 concurrent sends of one payment run the handler once
// and transfer once; `exact` payments sent together share a Multicall3 batch.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodePaymentSignatureHeader, type PaymentRequired } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaymentPayload } from '@tollgate/evm'
import { createPaywall, setSettlementOverrides } from '@tollgate/express'
import {
  createFacilitator,
  createSqliteLedger,
  type Facilitator,
  type Ledger,
  serveFacilitator,
} from '@tollgate/facilitator'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { decodePaymentResponseHeader, HTTPFacilitatorClient } from '@x402/core/http'
import { ExactEvmScheme as ExactClient } from '@x402/evm/exact/client'
import { ExactEvmScheme as ExactServer } from '@x402/evm/exact/server'
import { UptoEvmScheme as UptoClient } from '@x402/evm/upto/client'
import { UptoEvmScheme as UptoServer } from '@x402/evm/upto/server'
import {
  paymentMiddleware,
  setSettlementOverrides as referenceOverrides,
  x402ResourceServer,
} from '@x402/express'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import express from 'express'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { balanceOf, plainAsset } from './fixtures.js'

const devnet = useDevnet({ accounts: 4 })
let directory: string
let ledger: Ledger
let facilitator: Facilitator
let service: Awaited<ReturnType<typeof serveFacilitator>>
let reference: Awaited<ReturnType<typeof listen>>
let ours: Awaited<ReturnType<typeof listen>>
let payTo: Address
const usage: { next: bigint | undefined } = { next: undefined }
const runs = { report: 0, generate: 0 }

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  for (const payer of [devnet.accounts[0]!, devnet.accounts[2]!])
    await devnet.approvePermit2(payer.address, 'plain')
  directory = await mkdtemp(join(tmpdir(), 'tollgate-permit2-'))
  ledger = await createSqliteLedger(join(directory, 'ledger.db'))
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: [plainAsset(devnet)],
        pollingIntervalMs: 100,
        multicall3: devnet.permit2.multicall3,
      },
    ],
    signers: [devnet.accounts[3]!.account],
    mode: 'confirmed',
  })
  await facilitator.start()
  service = await serveFacilitator(facilitator, { port: 0 })

  const { address, name, version } = devnet.plainToken
  const price = (amount: string) => ({
    amount,
    asset: address,
    extra: { name, version, assetTransferMethod: 'permit2' },
  })
  const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: service.url }))
    .register(devnet.network, new ExactServer())
    .register(devnet.network, new UptoServer())
  const referenceApp = express()
  referenceApp.use(
    paymentMiddleware(
      {
        'GET /report': {
          accepts: { scheme: 'exact', network: devnet.network, payTo, price: price('2500') },
          description: 'Report',
        },
        'POST /generate': {
          accepts: { scheme: 'upto', network: devnet.network, payTo, price: price('5000') },
          description: 'Generate',
        },
      },
      server,
    ),
  )
  referenceApp.get('/report', (_req, res) => {
    res.json({ report: 'paid' })
  })
  referenceApp.post('/generate', (_req, res) => {
    if (usage.next !== undefined) referenceOverrides(res, { amount: usage.next.toString() })
    res.json({ generated: true })
  })
  reference = await listen(referenceApp)

  const ourApp = express()
  ourApp.use(
    createPaywall(createHttpFacilitatorClient({ url: service.url }), {
      assets: [plainAsset(devnet)],
      routes: {
        'GET /report': { price: '$0.0025', payTo, network: devnet.network },
        'POST /generate': { scheme: 'upto', price: '$0.005', payTo, network: devnet.network },
      },
    }),
  )
  ourApp.get('/report', (_req, res) => {
    runs.report++
    res.json({ report: 'paid' })
  })
  ourApp.post('/generate', (_req, res) => {
    runs.generate++
    if (usage.next !== undefined) setSettlementOverrides(res, { amount: usage.next })
    res.json({ generated: true })
  })
  ours = await listen(ourApp)
})

afterAll(async () => {
  await ours?.close()
  await reference?.close()
  await service?.close()
  await facilitator?.close()
  await ledger?.close()
  if (directory) await rm(directory, { recursive: true, force: true })
})

function referenceFetch() {
  const payer = devnet.accounts[0]!.account
  const client = new x402Client()
    .register(devnet.network, new ExactClient(payer))
    .register(devnet.network, new UptoClient(payer))
    .setSpendControls({
      allowedAssets: [{ network: devnet.network, asset: devnet.plainToken.address }],
    })
  return wrapFetchWithPayment(fetch, client)
}

describe('the reference server settles through our facilitator', () => {
  test('/supported names the upto signer the reference server copies', async () => {
    const supported = await (await fetch(`${service.url}/supported`)).json()
    expect(supported.kinds).toContainEqual(
      expect.objectContaining({
        scheme: 'upto',
        network: devnet.network,
        extra: expect.objectContaining({ facilitatorAddress: devnet.accounts[3]!.address }),
      }),
    )
  })

  test('exact: three calls, three transfers of exactly 2500 on a token without EIP-3009', async () => {
    const pay = referenceFetch()
    const before = await balanceOf(devnet, payTo)
    for (let call = 1; call <= 3; call++) {
      const response = await pay(`${reference.url}/report`)
      expect(response.status).toBe(200)
      const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement.success).toBe(true)
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: settlement.transaction as Hex,
      })
      expect(receipt.status).toBe('success')
      expect((await balanceOf(devnet, payTo)) - before).toBe(2_500n * BigInt(call))
    }
  })

  test('upto: the payee receives exactly what each of three calls used', async () => {
    const pay = referenceFetch()
    const before = await balanceOf(devnet, payTo)
    let received = 0n
    for (const amount of [100n, 4_321n, 5_000n]) {
      usage.next = amount
      const response = await pay(`${reference.url}/generate`, { method: 'POST' })
      expect(response.status).toBe(200)
      const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, amount: amount.toString() })
      received += amount
      expect((await balanceOf(devnet, payTo)) - before).toBe(received)
    }
  })
})

describe('ours end to end: our fetch, our paywall, our facilitator service', () => {
  test('exact and upto: each call moves exactly its price, or what it used', async () => {
    const pay = wrapFetch({ account: devnet.accounts[2]!.account, assets: [plainAsset(devnet)] })
    const before = await balanceOf(devnet, payTo)
    const report = await pay(`${ours.url}/report`)
    expect(report.status).toBe(200)
    expect(getReceipt(report)).toMatchObject({ status: 'settled', amount: 2_500n })
    let expected = 2_500n
    for (const amount of [1n, 2_000n, 4_999n]) {
      usage.next = amount
      const response = await pay(`${ours.url}/generate`, { method: 'POST' })
      expect(response.status).toBe(200)
      expect(getReceipt(response)).toMatchObject({ status: 'settled', amount })
      expected += amount
      expect((await balanceOf(devnet, payTo)) - before).toBe(expected)
    }
  })

  test.each([
    ['exact', '/report', 'GET', 'report', 2_500n],
    ['upto', '/generate', 'POST', 'generate', 888n],
  ] as const)(
    '%s: 50 concurrent sends of one payment, one run, one transfer',
    async (_scheme, path, method, counter, moves) => {
      usage.next = 888n
      const challenge = await fetch(`${ours.url}${path}`, { method })
      const paymentRequired = JSON.parse(
        Buffer.from(challenge.headers.get('PAYMENT-REQUIRED')!, 'base64').toString('utf8'),
      ) as PaymentRequired
      const payload = await createPaymentPayload(devnet.accounts[2]!.account, { paymentRequired })
      const header = encodePaymentSignatureHeader(payload)
      const runsBefore = runs[counter]
      const before = await balanceOf(devnet, payTo)
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${ours.url}${path}`, { method, headers: { 'PAYMENT-SIGNATURE': header } }),
        ),
      )
      expect(responses.filter((response) => response.status === 200)).toHaveLength(1)
      expect(runs[counter] - runsBefore).toBe(1)
      expect((await balanceOf(devnet, payTo)) - before).toBe(moves)
    },
  )
})

/** The status endpoint's answer for a Permit2 payment, named by the decimal nonce it signed. */
async function statusOf(payer: Address, receipt: NonNullable<ReturnType<typeof getReceipt>>) {
  const { nonce } = (receipt.signed.payload as { permit2Authorization: { nonce: string } })
    .permit2Authorization
  const path = [devnet.chainId, devnet.plainToken.address, payer, nonce].join('/')
  return (await fetch(`${service.url}/settlements/${path}`)).json()
}

describe('status and metrics', () => {
  test('the status endpoint finds exact and upto Permit2 settlements by their decimal nonce; metrics name the scheme', async () => {
    const payer = devnet.accounts[2]!
    const pay = wrapFetch({ account: payer.account, assets: [plainAsset(devnet)] })
    const exact = getReceipt(await pay(`${ours.url}/report`))!
    expect(await statusOf(payer.address, exact)).toMatchObject({
      state: 'confirmed',
      value: '2500',
      transaction: exact.transaction,
      payee: payTo.toLowerCase(),
    })
    usage.next = 777n
    const upto = getReceipt(await pay(`${ours.url}/generate`, { method: 'POST' }))!
    expect(upto).toMatchObject({ status: 'settled', amount: 777n })
    // The ledger keeps the charge, not the signed maximum (5000).
    expect(await statusOf(payer.address, upto)).toMatchObject({
      state: 'confirmed',
      value: '777',
      transaction: upto.transaction,
    })
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    for (const scheme of ['exact-permit2', 'upto']) {
      expect(metrics).toContain(
        `tollgate_facilitator_verifications_total{scheme="${scheme}",result="valid",reason=""}`,
      )
      expect(metrics).toMatch(
        new RegExp(
          `tollgate_facilitator_settlements_total\\{scheme="${scheme}",mode="confirmed",result="success"`,
        ),
      )
    }
  })
})

describe('batching', () => {
  test('exact payments queued together settle in one Multicall3 transaction', async () => {
    // Its own facilitator: a batch of six is sent as soon as it is full, whenever they arrive.
    const batchLedger = await createSqliteLedger(join(directory, 'batch.db'))
    const batching = createFacilitator({
      ledger: batchLedger,
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: [devnet.rpcUrl],
          assets: [plainAsset(devnet)],
          pollingIntervalMs: 100,
          multicall3: devnet.permit2.multicall3,
        },
      ],
      signers: [devnet.deployer.account],
      mode: 'confirmed',
      batch: { maxSize: 6, maxWaitMs: 20_000, alignToBlocks: false },
    })
    try {
      const { address, name, version } = devnet.plainToken
      const paymentRequirements = {
        scheme: 'exact',
        network: devnet.network,
        amount: '2500',
        asset: address,
        payTo,
        maxTimeoutSeconds: 300,
        extra: { name, version, assetTransferMethod: 'permit2' },
      }
      const payloads = await Promise.all(
        Array.from({ length: 6 }, () =>
          createPaymentPayload(devnet.accounts[2]!.account, { requirements: paymentRequirements }),
        ),
      )
      const before = await balanceOf(devnet, payTo)
      const answers = await Promise.all(
        payloads.map((paymentPayload) => batching.settle({ paymentPayload, paymentRequirements })),
      )
      expect(answers.every((answer) => answer.success)).toBe(true)
      expect(new Set(answers.map((answer) => answer.transaction)).size).toBe(1)
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: answers[0]!.transaction as Hex,
      })
      expect(receipt.to?.toLowerCase()).toBe(devnet.permit2.multicall3.toLowerCase())
      expect((await balanceOf(devnet, payTo)) - before).toBe(15_000n)
    } finally {
      await batching.close()
      await batchLedger.close()
    }
  })
})
