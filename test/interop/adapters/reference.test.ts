// The adapter suite's cases, where they apply, against the reference adapters `@x402/hono` and
// `@x402/next` (with the reference facilitator in-process, on the same anvil token): what each
// did is asserted here, so docs/providers/frameworks.md states measured differences, not guesses.
// Settle-first has no counterpart in the reference's `exact` scheme, so it is not run.

import { createRequire } from 'node:module'
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import { createPaymentPayload } from '@tollgate/evm'
import { wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import type { SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import { paymentMiddleware, x402ResourceServer } from '@x402/hono'
import { Hono } from 'hono'
import type { NextRequest, NextResponse } from 'next/server'
import { type Address, erc20Abi, publicActions } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { wrapFetchWithPayment as wrapFetchWithPaymentV1 } from 'x402-fetch'
import { serveRouteHandlers } from './nextServer.js'

// `@x402/next`'s ESM build imports `next/server` without an extension, which Node cannot resolve
// outside Next's bundler (measured with next 16.4.6); its CommonJS build loads.
const { withX402 } = createRequire(import.meta.url)('@x402/next') as typeof import('@x402/next')

const usdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const devnet = useDevnet({ accounts: 3, chainId: 84532 })
let server: x402ResourceServer

beforeAll(async () => {
  await devnet.placeUsdcAt(usdc, 'usdcAlt')
  const operator = devnet.accounts[2]!
  const client = devnet.walletClient(operator.account).extend(publicActions)
  const signer = toFacilitatorEvmSigner({
    address: operator.address,
    readContract: (args) => client.readContract(args as never),
    verifyTypedData: (args) => client.verifyTypedData(args as never),
    writeContract: (args) => client.writeContract(args as never),
    sendTransaction: (args) => client.sendTransaction(args as never),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  })
  const facilitator = new x402Facilitator().register(
    'eip155:84532',
    new ExactEvmFacilitatorScheme(signer),
  )
  server = new x402ResourceServer({
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: (payload, requirements) => facilitator.settle(payload, requirements),
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  }).register('eip155:84532', new ExactEvmServerScheme())
})

const balanceOf = (owner: Address) =>
  devnet.publicClient.readContract({
    address: usdc,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
const payee = () => devnet.accounts[1]!.address

function route(description: string) {
  return {
    accepts: {
      scheme: 'exact',
      network: 'eip155:84532' as const,
      payTo: payee(),
      price: { amount: '10000', asset: usdc, extra: { name: 'USDC', version: '2' } },
    },
    description,
  }
}

type Api = { url: string; runs: { weather: number; fail: number }; close(): Promise<void> }

async function referenceHono(): Promise<Api> {
  const runs = { weather: 0, fail: 0 }
  const app = new Hono()
  app.use(
    paymentMiddleware(
      { 'GET /weather': route('The weather'), 'GET /fail': route('Fails') },
      server,
    ),
  )
  app.get('/weather', (c) => c.json({ weather: 'sunny', run: ++runs.weather }))
  app.get('/fail', (c) => c.json({ failed: ++runs.fail }, 500))
  const listening = await listen({ fetch: app.fetch })
  return { ...listening, runs }
}

async function referenceNext(): Promise<Api & { params: unknown[] }> {
  const runs = { weather: 0, fail: 0 }
  const params: unknown[] = []
  type Handler = (request: NextRequest) => Promise<NextResponse>
  const weather = (async (_request: NextRequest, context?: { params?: unknown }) => {
    params.push(context?.params)
    return Response.json({ weather: 'sunny', run: ++runs.weather })
  }) as unknown as Handler
  const fail = (async () =>
    Response.json({ failed: ++runs.fail }, { status: 500 })) as unknown as Handler
  // `@x402/next` 2.25 types its server with `@x402/core` 2.25; the 2.27 one works the same.
  const nextServer = server as unknown as Parameters<typeof withX402>[2]
  const listening = await serveRouteHandlers({
    '/weather': { GET: withX402(weather, route('The weather'), nextServer) },
    '/fail': { GET: withX402(fail, route('Fails'), nextServer) },
    // A route table whose pattern does not match where the handler is mounted.
    '/elsewhere': { GET: withX402(weather, { '/api/weather': route('Mismatched') }, nextServer) },
  } as never)
  return { ...listening, runs, params }
}

async function paymentFor(url: string): Promise<string> {
  const challenge = await fetch(url)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  return encodePaymentSignatureHeader(payload)
}

/** The cases of the Tollgate suite, as outcomes to compare. */
function cases(start: () => Promise<Api>) {
  let api: Api
  beforeAll(async () => {
    api = await start()
  })
  afterAll(() => api?.close())
  const get = () => api

  test('@x402/fetch (v2) pays once per call; the 402 is never cached', async () => {
    const challenge = await fetch(`${api.url}/weather`)
    expect(challenge.status).toBe(402)
    expect(challenge.headers.get('cache-control')).toBe('no-store')
    await challenge.arrayBuffer()
    const client = new x402Client()
      .register('eip155:*', new ExactEvmScheme(devnet.accounts[0]!.account))
      .setSpendControls({ allowedAssets: [{ network: 'eip155:84532', asset: usdc }] })
    const pay = wrapFetchWithPayment(fetch, client)
    const before = await balanceOf(payee())
    for (let call = 1; call <= 2; call++) {
      const response = await pay(`${api.url}/weather`)
      expect(response.status).toBe(200)
      expect(await balanceOf(payee())).toBe(before + 10_000n * BigInt(call))
    }
  })

  test('our wrapFetch pays once per call (Next: refused, the resource names localhost)', async () => {
    const pay = wrapFetch(fetch, { account: devnet.accounts[0]!.account })
    const before = await balanceOf(payee())
    if (start === referenceHono) {
      expect((await pay(`${api.url}/weather`)).status).toBe(200)
      expect(await balanceOf(payee())).toBe(before + 10_000n)
      return
    }
    // withX402 takes the resource from `request.url`, where Next rewrites 127.0.0.1 to
    // localhost: our payer refuses a resource on another origin than it asked, before signing.
    await expect(pay(`${api.url}/weather`)).rejects.toThrow(/resource http:\/\/localhost:\d+/)
    expect(await balanceOf(payee())).toBe(before)
  })

  test('legacy x402-fetch (v1) cannot pay it: the 402 has no v1 body', async () => {
    const wallet = devnet.walletClient(devnet.accounts[0]!.account)
    const pay = wrapFetchWithPaymentV1(fetch, wallet as never)
    const before = await balanceOf(payee())
    const outcome = await pay(`${api.url}/weather`).then(
      (response) => response.status,
      (error: Error) => error.name,
    )
    expect(outcome).toBe('TypeError')
    expect(await balanceOf(payee())).toBe(before)
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
    const ok = responses.filter((response) => response.status === 200).length
    // Measured: the reference runs the handler for every copy that passes verification before
    // the first settles, and answers all but one with a failed settlement.
    expect(ok).toBe(1)
    expect(await balanceOf(payee())).toBe(before + 10_000n)
    expect(api.runs.weather - runs).toBeGreaterThan(1)
  })

  test('a handler failing with 500 charges nothing', async () => {
    const header = await paymentFor(`${api.url}/fail`)
    const before = await balanceOf(payee())
    const response = await fetch(`${api.url}/fail`, { headers: { 'PAYMENT-SIGNATURE': header } })
    expect(response.status).toBe(500)
    expect(await balanceOf(payee())).toBe(before)
  })

  test('a percent-encoded path to the priced route', async () => {
    const runs = get().runs.weather
    const response = await fetch(`${api.url}/%77eather`)
    await response.arrayBuffer()
    expect({ status: response.status, ran: get().runs.weather - runs }).toEqual(
      start === referenceHono ? { status: 402, ran: 0 } : { status: 404, ran: 0 },
    )
  })
  return get
}

describe('@x402/hono', () => {
  cases(referenceHono)
})

describe('@x402/next withX402', () => {
  const api = cases(referenceNext) as () => Awaited<ReturnType<typeof referenceNext>>

  test('the route handler gets no context: its params are dropped', () => {
    expect(api().params.length).toBeGreaterThan(0)
    expect(api().params.every((params) => params === undefined)).toBe(true)
  })

  test('a route pattern that does not match runs the handler unpaid', async () => {
    const runs = api().runs.weather
    const response = await fetch(`${api().url}/elsewhere`)
    expect(response.status).toBe(200)
    expect(api().runs.weather).toBe(runs + 1)
  })
})
