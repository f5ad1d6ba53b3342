// Our paywall in front of OUR facilitator service over HTTP, on a chain that mines a block every
// 2 seconds (Base's block time), with the facilitator's default mode left at `submitted`. Issue 18
// measured a `confirmed` route answering 200 in 30 ms with the payee still unpaid, three calls in a
// row: the mode never reached the facilitator. The wire decided since: `/supported` lists, per
// kind, `extra.settlementModes`; the HTTP client sends a route's mode where it is listed.
//
// The ledger is a SQLite file: `queued` is offered only on a durable ledger (an in-memory one
// would lose queued payments on a crash).

import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  type SettlementMode,
  supportedResponseSchema,
} from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createPaymentPayload } from '@tollgate/evm'
import { createPaywall } from '@tollgate/express'
import {
  createFacilitator,
  createSqliteLedger,
  type Facilitator,
  type Ledger,
  serveFacilitator,
} from '@tollgate/facilitator'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { balanceOf, devnetAssets, until } from '../../packages/facilitator/test/fixtures.js'

const devnet = useDevnet({ accounts: 4, blockTime: 2 })
const modes: readonly SettlementMode[] = ['confirmed', 'submitted', 'queued']

let directory: string
let ledger: Ledger
let facilitator: Facilitator
let service: Awaited<ReturnType<typeof serveFacilitator>>
let proxy: Server
let paid: Awaited<ReturnType<typeof listen>>
let paywall: ReturnType<typeof createPaywall>
const payees = Object.fromEntries(
  modes.map((mode) => [mode, privateKeyToAccount(generatePrivateKey()).address]),
) as Record<SettlementMode, Address>
/** The `settlement` field of every `/settle` body the facilitator received (null: none). */
const sentModes: (string | null)[] = []

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tollgate-modes-'))
  ledger = await createSqliteLedger(join(directory, 'ledger.db'))
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: devnetAssets(devnet),
        pollingIntervalMs: 100,
      },
    ],
    signers: [devnet.accounts[3]!.account],
    // The default a route without a mode gets; every route below names its own.
    mode: 'submitted',
  })
  await facilitator.start()
  service = await serveFacilitator(facilitator, { port: 0 })

  // A loopback proxy that records what reaches `/settle`.
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (req.url === '/settle')
      sentModes.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).settlement ?? null)
    const upstream = await fetch(`${service.url}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { 'content-type': 'application/json' },
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    })
    res.writeHead(upstream.status, { 'content-type': 'application/json' })
    res.end(await upstream.text())
  })
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`

  paywall = createPaywall(createHttpFacilitatorClient({ url: proxyUrl }), {
    assets: devnetAssets(devnet),
    logger: false,
    routes: Object.fromEntries(
      modes.map((mode) => [
        `GET /${mode}`,
        {
          price: 5_000n,
          asset: devnet.usdc.address,
          payTo: payees[mode],
          network: devnet.network,
          settlement: mode,
        },
      ]),
    ),
  })
  const app = express()
  app.use(paywall)
  app.get('/:mode', (req, res) => res.json({ mode: req.params.mode }))
  paid = await listen(app)
})

afterAll(async () => {
  await paid?.close()
  proxy?.closeAllConnections()
  proxy?.close()
  await service?.close()
  await facilitator?.close()
  await ledger?.close()
  if (directory) await rm(directory, { recursive: true, force: true })
})

async function payFor(path: string): Promise<Response> {
  const challenge = await fetch(`${paid.url}${path}`)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  return fetch(`${paid.url}${path}`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  })
}

test('/supported lists the modes the facilitator honours for the chain; ready() resolves', async () => {
  const supported = supportedResponseSchema.parse(
    await (await fetch(`${service.url}/supported`)).json(),
  )
  const kind = supported.kinds.find(
    (entry) => entry.x402Version === 2 && entry.network === devnet.network,
  )
  expect(kind?.extra?.settlementModes).toEqual(expect.arrayContaining([...modes]))
  await paywall.ready()
})

describe('a route names its mode; the facilitator settles in it', () => {
  test("confirmed, three calls in a row: each 200 arrives with the payee's balance credited", async () => {
    for (let call = 1; call <= 3; call++) {
      const sent = sentModes.length
      const response = await payFor('/confirmed')
      const atAnswer = await balanceOf(devnet, payees.confirmed)
      expect(response.status).toBe(200)
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
        true,
      )
      expect(atAnswer).toBe(BigInt(call) * 5_000n)
      expect(sentModes.slice(sent)).toEqual(['confirmed'])
    }
  })

  test.each(['submitted', 'queued'] as const)(
    '%s: the mode reaches /settle; the payee is paid',
    async (mode) => {
      const sent = sentModes.length
      const response = await payFor(`/${mode}`)
      expect(response.status).toBe(200)
      expect(sentModes.slice(sent)).toEqual([mode])
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
        true,
      )
      // Answered before the block; the transfer lands with a following one.
      await until(async () => (await balanceOf(devnet, payees[mode])) === 5_000n, {
        message: `the ${mode} transfer`,
      })
    },
  )
})
