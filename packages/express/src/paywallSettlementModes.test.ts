// A route's settlement mode holds, on a chain that mines a block every second (as a real one
// does): `confirmed` answers only once the payee is paid; a mode the facilitator cannot honour is
// refused before anything is verified. Real Express servers, the local facilitator, anvil.

import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { paywallReasons, UnsupportedSettlementModeError } from '@tollgate/paywall'
import type { RouteConfig } from '@tollgate/paywall/http'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 4, blockTime: 1 })

let local: FacilitatorClient
const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

beforeAll(() => {
  local = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/**
 * A paywalled `GET /r` in front of `facilitator`, paying a payee of its own (a transfer of another
 * test landing in a later block cannot change its balance); counts handler runs, collects logs.
 */
async function serve(facilitator: FacilitatorClient, route: Partial<RouteConfig>) {
  const payTo = privateKeyToAccount(generatePrivateKey()).address
  const logged: { level: string; message: string }[] = []
  const paywall = createPaywall(facilitator, {
    assets: [devnet.usdc],
    routes: { 'GET /r': { price: '$0.01', payTo, network: devnet.network, ...route } },
    logger: {
      warn: (message) => logged.push({ level: 'warn', message }),
      error: (message) => logged.push({ level: 'error', message }),
    },
  })
  let runs = 0
  const app = express()
  app.use(paywall)
  app.get('/r', (_req, res) => {
    runs++
    res.send('paid content')
  })
  const server = await listen(app)
  servers.push(server)
  const pay = async (header?: string) =>
    fetch(`${server.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header ?? (await sign()) } })
  const sign = async () => {
    const challenge = await fetch(`${server.url}/r`)
    const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
    return encodePaymentSignatureHeader(
      await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired }),
    )
  }
  return { paywall, pay, sign, logged, payTo, runs: () => runs }
}

/** The local facilitator, answering `/supported` with other modes, counting verify calls. */
function withModes(modes: readonly string[], counts = { verify: 0, supported: 0 }) {
  const facilitator: FacilitatorClient = {
    verify: (request) => {
      counts.verify++
      return local.verify(request)
    },
    settle: (request) => local.settle(request),
    supported: async () => {
      counts.supported++
      const answer = await local.supported()
      return {
        ...answer,
        kinds: answer.kinds.map((kind) => ({ ...kind, extra: { settlementModes: modes } })),
      }
    },
  }
  return { facilitator, counts }
}

describe('a route whose mode the facilitator honours', () => {
  test("confirmed: the 200 arrives with the payee's balance already credited", async () => {
    const api = await serve(local, { settlement: 'confirmed' })
    await api.paywall.ready()
    const header = await api.sign()
    const before = await balanceOf(api.payTo)
    const response = await api.pay(header)
    const atAnswer = await balanceOf(api.payTo)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('paid content')
    expect(atAnswer).toBe(before + 10_000n)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
      true,
    )
  })

  test('queued with a facilitator that has no queue: settled as submitted (a later answer), with a warning', async () => {
    const api = await serve(local, { settlement: 'queued' })
    await api.paywall.ready()
    const response = await api.pay()
    expect(response.status).toBe(200)
    expect(api.logged).toEqual([
      {
        level: 'warn',
        message:
          'tollgate paywall: settling in "submitted", the nearest stronger mode the facilitator honours',
      },
    ])
  })
})

describe('a route whose mode the facilitator cannot honour', () => {
  test('ready() rejects; a payment gets a 500 with a reason, nothing verified, run or charged', async () => {
    const { facilitator, counts } = withModes(['submitted', 'queued'])
    const api = await serve(facilitator, { settlement: 'confirmed' })
    await expect(api.paywall.ready()).rejects.toBeInstanceOf(UnsupportedSettlementModeError)
    const before = await balanceOf(api.payTo)
    const response = await api.pay()
    expect(response.status).toBe(500)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: paywallReasons.settlementModeUnsupported,
      message:
        'The payment facilitator cannot settle this resource the way it requires; nothing was charged.',
    })
    expect(counts.verify).toBe(0)
    expect(api.runs()).toBe(0)
    expect(await balanceOf(api.payTo)).toBe(before)
    // Decided once (at ready()), logged once.
    expect(counts.supported).toBe(1)
    expect(api.logged).toEqual([
      {
        level: 'error',
        message:
          'tollgate paywall: a route asks for a settlement mode the facilitator cannot honour',
      },
    ])
  })

  test('/supported unreachable at the first payment: 503, nothing verified; the same payment goes through once it answers', async () => {
    const { facilitator, counts } = withModes(['confirmed'])
    let down = true
    const flaky: FacilitatorClient = {
      ...facilitator,
      supported: () =>
        down
          ? Promise.reject(
              Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
            )
          : facilitator.supported(),
    }
    const api = await serve(flaky, { settlement: 'confirmed' })
    const header = await api.sign()
    const before = await balanceOf(api.payTo)
    const refused = await api.pay(header)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ error: paywallReasons.unexpectedSupportedError })
    expect(counts.verify).toBe(0)
    down = false
    const paid = await api.pay(header)
    expect(paid.status).toBe(200)
    expect(await balanceOf(api.payTo)).toBe(before + 10_000n)
    expect(api.runs()).toBe(1)
  })
})
