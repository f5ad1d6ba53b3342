// Our paywall's settlement modes in front of the REFERENCE facilitator (`@x402/core`
// `x402Facilitator` with `@x402/evm`'s exact scheme, over HTTP on loopback), on a chain that mines
// a block every second. The reference lists no `settlementModes` in `/supported` and settles
// `confirmed` only: a `confirmed` route works and answers with the payee paid; a faster route is
// settled `confirmed` too (never in a weaker mode than asked), with a warning; the `/settle` body
// stays exactly the reference's.

import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaymentPayload } from '@tollgate/evm'
import { createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import express from 'express'
import { type Address, erc20Abi, publicActions } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, test } from 'vitest'

const devnet = useDevnet({ accounts: 4, blockTime: 1 })

let facilitatorServer: Server
let paid: Awaited<ReturnType<typeof listen>>
let paywall: ReturnType<typeof createPaywall>
const payees = {
  confirmed: privateKeyToAccount(generatePrivateKey()).address,
  submitted: privateKeyToAccount(generatePrivateKey()).address,
}
/** Every `/settle` body the reference facilitator received. */
const settleBodies: Record<string, unknown>[] = []
const warnings: string[] = []

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

beforeAll(async () => {
  const account = devnet.accounts[3]!
  const client = devnet.walletClient(account.account).extend(publicActions)
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) => client.readContract(args as never),
    verifyTypedData: (args) => client.verifyTypedData(args as never),
    writeContract: (args) => client.writeContract(args as never),
    sendTransaction: (args) => client.sendTransaction(args as never),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  })
  const facilitator = new x402Facilitator().register(
    devnet.network,
    new ExactEvmFacilitatorScheme(signer),
  )
  facilitatorServer = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}
    let answer: unknown
    if (req.url === '/verify')
      answer = await facilitator.verify(body.paymentPayload, body.paymentRequirements)
    else if (req.url === '/settle') {
      settleBodies.push(body)
      answer = await facilitator.settle(body.paymentPayload, body.paymentRequirements)
    } else answer = facilitator.getSupported()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer))
  })
  facilitatorServer.listen(0, '127.0.0.1')
  await once(facilitatorServer, 'listening')
  const url = `http://127.0.0.1:${(facilitatorServer.address() as AddressInfo).port}`

  const route = (payTo: Address) => ({
    price: 5_000n,
    asset: devnet.usdc.address,
    payTo,
    network: devnet.network,
  })
  paywall = createPaywall(createHttpFacilitatorClient({ url }), {
    assets: [devnet.usdc],
    logger: { warn: (message) => warnings.push(message) },
    routes: {
      'GET /confirmed': { ...route(payees.confirmed), settlement: 'confirmed' },
      'GET /submitted': { ...route(payees.submitted), settlement: 'submitted' },
    },
  })
  const app = express()
  app.use(paywall)
  app.get('/:route', (req, res) => res.json({ route: req.params.route }))
  paid = await listen(app)
})

afterAll(async () => {
  await paid?.close()
  facilitatorServer?.closeAllConnections()
  facilitatorServer?.close()
})

async function payFor(path: string): Promise<Response> {
  const challenge = await fetch(`${paid.url}${path}`)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  return fetch(`${paid.url}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  })
}

test('ready(): every route holds with the reference (the faster one by settling confirmed, warned)', async () => {
  await paywall.ready()
  expect(warnings).toEqual([
    'tollgate paywall: settling in "confirmed", the nearest stronger mode the facilitator honours',
  ])
})

test.each([
  ['confirmed', '/confirmed'],
  ['submitted, settled confirmed', '/submitted'],
])(
  "%s: the 200 arrives with the payee's balance credited; the /settle body is the reference's",
  async (_name, path) => {
    const payee = path === '/confirmed' ? payees.confirmed : payees.submitted
    const before = await balanceOf(payee)
    const settled = settleBodies.length
    const response = await payFor(path)
    const atAnswer = await balanceOf(payee)
    expect(response.status).toBe(200)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
      true,
    )
    expect(atAnswer).toBe(before + 5_000n)
    expect(settleBodies).toHaveLength(settled + 1)
    expect(Object.keys(settleBodies.at(-1)!).sort()).toEqual([
      'paymentPayload',
      'paymentRequirements',
      'x402Version',
    ])
  },
)
