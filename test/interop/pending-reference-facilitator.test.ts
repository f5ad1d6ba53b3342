// Our paywall in front of the REFERENCE facilitator (`@x402/core` `x402Facilitator` with
// `@x402/evm`'s exact scheme, served over HTTP on loopback) when its receipt wait times out: the
// reference answers `settlement_pending` with the broadcast hash (its knob:
// `toFacilitatorEvmSigner(..., { confirmationTimeoutMs })`), our paywall retries `/settle` once
// with the identical body, and the reference reconciles against its pending store. Mining is under
// the test's control, so "the block comes late" is deterministic.

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  reasons,
} from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaymentPayload } from '@tollgate/evm'
import { createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import express from 'express'
import { type Address, erc20Abi, type Hex, publicActions } from 'viem'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'

const devnet = useDevnet({ accounts: 4 })

let facilitatorServer: Server
let facilitatorUrl: string
let paid: Awaited<ReturnType<typeof listen>>
let payTo: Address
let operator: Address
let served = 0
/** Every `/settle` body and answer the reference facilitator saw. */
const settles: { body: Record<string, unknown>; answer: Record<string, unknown> }[] = []
/** Whether to mine a block after a pending answer, before it goes back (the block comes "late"). */
let mineAfterPending = false

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

beforeAll(async () => {
  const account = devnet.accounts[3]!
  operator = account.address
  payTo = devnet.accounts[1]!.address
  const client = devnet.walletClient(account.account).extend(publicActions)
  const signer = toFacilitatorEvmSigner(
    {
      address: operator,
      readContract: (args) => client.readContract(args as never),
      verifyTypedData: (args) => client.verifyTypedData(args as never),
      writeContract: (args) => client.writeContract(args as never),
      sendTransaction: (args) => client.sendTransaction(args as never),
      waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
      getCode: (args) => client.getCode(args),
    },
    // The reference's receipt-wait bound (default 180 s): a receipt later than this is pending.
    { confirmationTimeoutMs: 600 },
  )
  const facilitator = new x402Facilitator().register(
    devnet.network,
    new ExactEvmFacilitatorScheme(signer),
  )

  // The reference facilitator over HTTP, the way its examples serve it.
  facilitatorServer = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
    let answer: unknown
    if (req.url === '/verify')
      answer = await facilitator.verify(body.paymentPayload, body.paymentRequirements)
    else if (req.url === '/settle') {
      answer = await facilitator.settle(body.paymentPayload, body.paymentRequirements)
      settles.push({ body, answer: answer as Record<string, unknown> })
      if (
        mineAfterPending &&
        (answer as { errorReason?: string }).errorReason === 'settlement_pending'
      )
        await devnet.testClient.mine({ blocks: 1 })
    } else answer = facilitator.getSupported()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer))
  })
  facilitatorServer.listen(0, '127.0.0.1')
  await once(facilitatorServer, 'listening')
  facilitatorUrl = `http://127.0.0.1:${(facilitatorServer.address() as AddressInfo).port}`

  const app = express()
  app.use(
    createPaywall(createHttpFacilitatorClient({ url: facilitatorUrl }), {
      assets: [devnet.usdc],
      routes: {
        'GET /report': {
          price: 5_000n, // atomic units (a string would be 5,000 tokens)
          asset: devnet.usdc.address,
          payTo,
          network: devnet.network,
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
  facilitatorServer?.closeAllConnections()
  facilitatorServer?.close()
})

afterEach(async () => {
  settles.length = 0
  mineAfterPending = false
  await devnet.testClient.setAutomine(true)
})

async function signedHeader(): Promise<string> {
  const challenge = await fetch(`${paid.url}/report`)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  return encodePaymentSignatureHeader(
    await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired }),
  )
}

const sentByOperator = () => devnet.publicClient.getTransactionCount({ address: operator })
const get = (header: string) =>
  fetch(`${paid.url}/report`, { headers: { 'PAYMENT-SIGNATURE': header } })

test('pending once, then the retry reconciles: one transaction, the response delivered', async () => {
  const header = await signedHeader()
  const before = { payee: await balanceOf(payTo), nonce: await sentByOperator(), served }
  mineAfterPending = true
  await devnet.testClient.setAutomine(false)

  const response = await get(header)
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ report: 'paid content' })
  const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
  expect(settlement).toMatchObject({ success: true, network: devnet.network })

  // Two calls with the identical reference body (no Tollgate-only field), the second reconciled.
  expect(settles.map(({ answer }) => [answer.success, answer.errorReason ?? null])).toEqual([
    [false, reasons.settlementPending],
    [true, null],
  ])
  expect(settles[1]!.body).toEqual(settles[0]!.body)
  expect(Object.keys(settles[0]!.body).sort()).toEqual([
    'paymentPayload',
    'paymentRequirements',
    'x402Version',
  ])
  expect(settles[0]!.answer.transaction).toBe(settlement.transaction)
  expect(await sentByOperator()).toBe(before.nonce + 1)
  expect(await balanceOf(payTo)).toBe(before.payee + 5_000n)
  expect(served).toBe(before.served + 1)
})

test('pending on both calls: a 402 carrying the pending PAYMENT-RESPONSE, no content; the same payment sent again after the block delivers it, still one transaction', async () => {
  const header = await signedHeader()
  const before = { payee: await balanceOf(payTo), nonce: await sentByOperator(), served }
  await devnet.testClient.setAutomine(false)

  const pending = await get(header)
  expect(pending.status).toBe(402)
  expect(pending.headers.get('cache-control')).toBe('no-store')
  expect(await pending.json()).not.toHaveProperty('report')
  const answer = decodePaymentResponseHeader(pending.headers.get('PAYMENT-RESPONSE')!)
  expect(answer).toMatchObject({ success: false, errorReason: reasons.settlementPending })
  expect(answer.transaction).toMatch(/^0x[0-9a-f]{64}$/)
  expect(settles).toHaveLength(2)
  expect(settles.every(({ answer: a }) => a.transaction === answer.transaction)).toBe(true)

  await devnet.testClient.mine({ blocks: 1 })
  const delivered = await get(header)
  expect(delivered.status).toBe(200)
  expect(await delivered.json()).toEqual({ report: 'paid content' })
  expect(decodePaymentResponseHeader(delivered.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
    success: true,
    transaction: answer.transaction,
  })
  const receipt = await devnet.publicClient.getTransactionReceipt({
    hash: answer.transaction as Hex,
  })
  expect(receipt.status).toBe('success')
  // One broadcast for three settle calls; the handler ran once, the payee was paid once.
  expect(settles).toHaveLength(3)
  expect(await sentByOperator()).toBe(before.nonce + 1)
  expect(await balanceOf(payTo)).toBe(before.payee + 5_000n)
  expect(served).toBe(before.served + 1)
})
