// The Hono middleware on a real server on loopback (Hono's Web `fetch`, as on Workers, Deno or
// Bun), paid with real authorizations settled on anvil: what only Hono has (the Context, upstream
// middleware, bodies read twice). The cases every adapter shares are in test/interop/adapters.
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { type ListenReturnType, listen, useDevnet } from '@tollgate/test'
import { Hono } from 'hono'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 3 })
let server: ListenReturnType
const runs = { big: 0 }

const balanceOf = (owner: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
const payee = () => devnet.accounts[1]!.address

beforeAll(async () => {
  const base = { payTo: payee(), network: devnet.network }
  const app = new Hono()
  // Upstream middleware: its headers stay on every answer, but never loosen the 402's caching.
  app.use(async (c, next) => {
    c.header('x-upstream', 'kept')
    c.header('cache-control', 'public, max-age=60')
    await next()
  })
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(devnet.accounts[2]!.account),
        assets: [devnet.usdc],
      }),
      {
        assets: [devnet.usdc],
        logger: false,
        maxBodyBytes: 1024,
        routes: {
          // The price reads the JSON body through the Context; the handler reads it again.
          'POST /quote': {
            ...base,
            price: async (request) =>
              BigInt(((await request.raw.req.json()) as { units: number }).units) * 1000n,
          },
          'GET /reports/:pages': {
            ...base,
            // The table's params: in a middleware, `c.req.param()` is not the route's yet.
            price: (request) => 10_000n * BigInt(request.params.pages ?? '1'),
          },
          'GET /big': { ...base, price: '$0.01' },
        },
      },
    ),
  )
  app.post('/quote', async (c) =>
    c.json({ quoted: ((await c.req.json()) as { units: number }).units }),
  )
  app.get('/reports/:pages', (c) => c.json({ pages: Number(c.req.param('pages')) }))
  app.get('/big', (c) => {
    runs.big++
    return c.text('x'.repeat(4096))
  })
  server = await listen({ fetch: app.fetch })
})
afterAll(() => server?.close())

async function pay(path: string, init: RequestInit = {}): Promise<Response> {
  const challenge = await fetch(`${server.url}${path}`, init)
  expect(challenge.status).toBe(402)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  const headers = new Headers(init.headers)
  headers.set('PAYMENT-SIGNATURE', encodePaymentSignatureHeader(payload))
  return fetch(`${server.url}${path}`, { ...init, headers })
}

test('the 402 keeps upstream headers but stays no-store', async () => {
  const response = await fetch(`${server.url}/reports/2`)
  expect(response.status).toBe(402)
  expect(response.headers.get('x-upstream')).toBe('kept')
  expect(response.headers.get('cache-control')).toBe('no-store')
  const required = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  expect(required.accepts[0]!.amount).toBe('20000')
})

test('a price function and the handler both read the body (no "Body is unusable")', async () => {
  const before = await balanceOf(payee())
  const response = await pay('/quote', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ units: 3 }),
  })
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ quoted: 3 })
  expect(response.headers.get('x-upstream')).toBe('kept')
  expect(await balanceOf(payee())).toBe(before + 3000n)
})

test('a response over maxBodyBytes: 500 paid_response_too_large, nothing charged', async () => {
  const before = await balanceOf(payee())
  const response = await pay('/big')
  expect(response.status).toBe(500)
  expect(await response.json()).toMatchObject({ error: 'paid_response_too_large' })
  expect(runs.big).toBe(1)
  expect(await balanceOf(payee())).toBe(before)
})
