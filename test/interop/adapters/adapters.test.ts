// One suite over every Tollgate adapter (Express, Hono on @hono/node-server and through its Web
// fetch, Next route handlers, Fastify, a bare Web handler): each serves the same paid routes on a
// real server on loopback, paid on anvil by `@x402/fetch` (v2), the legacy `x402-fetch` (v1) and
// our `wrapFetch`. Every paid call must move the payee's balance exactly once, by the price. Two
// instances of each adapter on one Redis store (as two processes would be) run one payment once;
// the hooks and diagnostics channels report the same events on every adapter.

import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { paywallChannels } from '@tollgate/paywall'
import { createRedisStore } from '@tollgate/paywall/redis'
import { type StartRedisReturnType, startRedis, useDevnet } from '@tollgate/test'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import { createClient } from 'redis'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { decodeXPaymentResponse, wrapFetchWithPayment as wrapFetchWithPaymentV1 } from 'x402-fetch'
import { type AdapterName, adapters, type PaidApi, type PaidApiOptions } from './servers.js'

// Legacy x402 knows only named networks with hard-coded USDC: anvil runs as Base Sepolia with the
// test token at Base Sepolia's USDC address, so all three clients pay the same token.
const usdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const agent = {
  agentRegistry: 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e',
  agentId: 7n,
}
const devnet = useDevnet({ accounts: 3, chainId: 84532 })
let options: PaidApiOptions
let redis: StartRedisReturnType
/** What the hooks saw, in order: `hook route (stage status)`. */
const hooked: string[] = []

beforeAll(async () => {
  redis = await startRedis()
  await devnet.placeUsdcAt(usdc, 'usdcAlt')
  options = {
    facilitator: createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    }),
    payTo: devnet.accounts[1]!.address,
    network: 'base-sepolia',
    agent,
    hooks: {
      onVerified: (event) => void hooked.push(`verified ${event.route}`),
      onSettled: (event) => void hooked.push(`settled ${event.route}`),
      onFailed: (event) => void hooked.push(`failed ${event.route} ${event.stage} ${event.status}`),
    },
  }
})
afterAll(() => redis?.stop())

/** An instance of an adapter with its own Redis connection, as another process would have. */
async function instanceOnRedis(name: AdapterName) {
  const client = await createClient({ url: redis.url })
    .on('error', () => {})
    .connect()
  const api = await adapters[name]({ ...options, store: createRedisStore({ client }) })
  return {
    api,
    async close() {
      await api.close()
      await client.quit()
    },
  }
}

const balanceOf = (owner: Address) =>
  devnet.publicClient.readContract({
    address: usdc,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
const payee = () => devnet.accounts[1]!.address

/** A signed payment for a route, from its 402, as one `PAYMENT-SIGNATURE` header. */
async function paymentFor(url: string): Promise<string> {
  const challenge = await fetch(url)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  return encodePaymentSignatureHeader(payload)
}

describe.each(Object.keys(adapters) as AdapterName[])('%s', (name) => {
  let api: PaidApi
  beforeAll(async () => {
    api = await adapters[name](options)
  })
  afterAll(() => api?.close())

  test('a 402 both versions can pay, never cached, naming the ERC-8004 agent', async () => {
    const response = await fetch(`${api.url}/weather`)
    expect(response.status).toBe(402)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    expect(required.accepts[0]).toMatchObject({ amount: '10000', asset: usdc, payTo: payee() })
    expect(required.extensions?.erc8004).toMatchObject({ info: { agentId: 7 } })
    const body = await response.json()
    expect(body).toMatchObject({ x402Version: 1, accepts: [{ network: 'base-sepolia' }] })
    expect(api.runs.weather).toBe(0)
  })

  test('@x402/fetch (v2) pays on-chain exactly once per call', async () => {
    const payer = devnet.accounts[0]!.account
    const client = new x402Client()
      .register('eip155:*', new ExactEvmScheme(payer))
      .setSpendControls({ allowedAssets: [{ network: 'eip155:84532', asset: usdc }] })
    const pay = wrapFetchWithPayment(fetch, client)
    const before = await balanceOf(payee())
    const runs = api.runs.weather
    for (let call = 1; call <= 2; call++) {
      const response = await pay(`${api.url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ weather: 'sunny' })
      const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, network: 'eip155:84532' })
      expect(await balanceOf(payee())).toBe(before + 10_000n * BigInt(call))
    }
    expect(api.runs.weather).toBe(runs + 2)
  })

  test('legacy x402-fetch (v1) pays on-chain exactly once per call', async () => {
    const wallet = devnet.walletClient(devnet.accounts[0]!.account)
    const pay = wrapFetchWithPaymentV1(
      fetch,
      wallet as unknown as Parameters<typeof wrapFetchWithPaymentV1>[1],
    )
    const before = await balanceOf(payee())
    for (let call = 1; call <= 2; call++) {
      const response = await pay(`${api.url}/weather`)
      expect(response.status).toBe(200)
      expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
      const settlement = decodeXPaymentResponse(response.headers.get('X-PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, network: 'base-sepolia' })
      expect(await balanceOf(payee())).toBe(before + 10_000n * BigInt(call))
    }
  })

  test('our wrapFetch pays on-chain exactly once per call, with a settled receipt', async () => {
    const pay = wrapFetch(fetch, { account: devnet.accounts[0]!.account })
    const before = await balanceOf(payee())
    const response = await pay(`${api.url}/weather`)
    expect(response.status).toBe(200)
    const receipt = getReceipt(response)
    expect(receipt).toMatchObject({ status: 'settled', amount: 10_000n })
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: receipt!.transaction as `0x${string}`,
    })
    expect(onChain.status).toBe('success')
    expect(await balanceOf(payee())).toBe(before + 10_000n)
  })

  test('50 concurrent sends of one payment: 1 handler run, 1 transfer', async () => {
    const header = await paymentFor(`${api.url}/weather`)
    const before = await balanceOf(payee())
    const runs = api.runs.weather
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${api.url}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } }),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.every((status) => status === 200 || status >= 400)).toBe(true)
    expect(api.runs.weather).toBe(runs + 1)
    expect(await balanceOf(payee())).toBe(before + 10_000n)
  })

  test('two instances on one Redis store: 50 sends of one payment split across them, 1 run, 1 transfer', async () => {
    const instances = [await instanceOnRedis(name), await instanceOnRedis(name)]
    try {
      const [one, two] = instances.map((instance) => instance.api) as [PaidApi, PaidApi]
      const header = await paymentFor(`${one.url}/weather`)
      const before = await balanceOf(payee())
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          fetch(`${(index % 2 === 0 ? one : two).url}/weather`, {
            headers: { 'PAYMENT-SIGNATURE': header },
          }),
        ),
      )
      const statuses = responses.map((response) => response.status)
      expect(statuses.filter((status) => status === 200)).toHaveLength(1)
      expect(statuses.every((status) => status === 200 || status >= 400)).toBe(true)
      expect(one.runs.weather + two.runs.weather).toBe(1)
      expect(await balanceOf(payee())).toBe(before + 10_000n)
    } finally {
      await Promise.all(instances.map((instance) => instance.close()))
    }
  })

  test('hooks and diagnostics: a paid call verified and settled once, a 500 failed at the handler', async () => {
    const published: string[] = []
    const listeners = {
      [paywallChannels.settled]: () => void published.push('settled'),
      [paywallChannels.failed]: () => void published.push('failed'),
    }
    for (const [channel, listener] of Object.entries(listeners)) subscribe(channel, listener)
    try {
      hooked.length = 0
      const paid = await fetch(`${api.url}/weather`, {
        headers: { 'PAYMENT-SIGNATURE': await paymentFor(`${api.url}/weather`) },
      })
      expect(paid.status).toBe(200)
      const failed = await fetch(`${api.url}/fail`, {
        headers: { 'PAYMENT-SIGNATURE': await paymentFor(`${api.url}/fail`) },
      })
      expect(failed.status).toBe(500)
      // onSettled and onFailed start once the answer is decided, without delaying it.
      await vi.waitFor(() => expect(hooked).toHaveLength(4))
      expect(hooked).toEqual([
        'verified GET /weather',
        'settled GET /weather',
        'verified GET /fail',
        'failed GET /fail handler 500',
      ])
      expect(published).toEqual(['settled', 'failed'])
    } finally {
      for (const [channel, listener] of Object.entries(listeners)) unsubscribe(channel, listener)
    }
  })

  test('a handler failing with 500 charges nothing (serve-first)', async () => {
    const header = await paymentFor(`${api.url}/fail`)
    const before = {
      payee: await balanceOf(payee()),
      payer: await balanceOf(devnet.accounts[0]!.address),
    }
    const response = await fetch(`${api.url}/fail`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect(response.status).toBe(500)
    expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
    expect(await response.json()).toMatchObject({ failed: api.runs.fail })
    expect(api.runs.fail).toBeGreaterThan(0)
    expect(await balanceOf(payee())).toBe(before.payee)
    expect(await balanceOf(devnet.accounts[0]!.address)).toBe(before.payer)
  })

  test('settle-first: the transfer settles, then the handler runs once', async () => {
    const pay = wrapFetch(fetch, { account: devnet.accounts[0]!.account })
    const before = await balanceOf(payee())
    const response = await pay(`${api.url}/first`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ first: true, run: 1 })
    expect(getReceipt(response)).toMatchObject({ status: 'settled', amount: 10_000n })
    expect(api.runs.first).toBe(1)
    expect(await balanceOf(payee())).toBe(before + 10_000n)
  })

  test('a percent-encoded path to a priced route is never served unpaid', async () => {
    const runs = api.runs.weather
    for (const path of ['/%77eather', '/w%65ather%', '/weather/']) {
      const response = await fetch(`${api.url}${path}`)
      expect(response.status).not.toBe(200)
      await response.arrayBuffer()
    }
    expect(api.runs.weather).toBe(runs)
  })
})
