// Route handlers wrapped by `withPaywall`, called the way Next.js calls them (a `NextRequest`, a
// context whose `params` is a Promise), paid with real authorizations settled on anvil. The cases
// every adapter shares run over HTTP in test/interop/adapters.
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import { NextRequest } from 'next/server'
import { type Address, erc20Abi } from 'viem'
import { beforeAll, expect, test } from 'vitest'
import { createPaywall, type NextPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 3 })
let paywall: NextPaywall
const origin = 'http://127.0.0.1:3000'

const balanceOf = (owner: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
const payee = () => devnet.accounts[1]!.address

beforeAll(() => {
  paywall = createPaywall(
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(devnet.accounts[2]!.account),
      assets: [devnet.usdc],
    }),
    { assets: [devnet.usdc], logger: false },
  )
})

type Context = { params: Promise<{ pages: string }> }

/** Calls a route handler as Next does, first without a payment, then paying the 402. */
async function payRoute(
  handler: (request: NextRequest, context: Context) => Promise<Response>,
  { path, init = {}, params }: { path: string; init?: RequestInit; params: { pages: string } },
) {
  // Next's server always has the Host the client sent (its `request.url` says localhost).
  const call = (headers = new Headers({ ...(init.headers as object), host: '127.0.0.1:3000' })) =>
    handler(new NextRequest(new Request(`${origin}${path}`, { ...init, headers })), {
      params: Promise.resolve(params),
    })
  const challenge = await call()
  expect(challenge.status).toBe(402)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  const headers = new Headers(init.headers)
  headers.set('PAYMENT-SIGNATURE', encodePaymentSignatureHeader(payload))
  headers.set('host', '127.0.0.1:3000')
  return { challenge: paymentRequired, response: await call(headers) }
}

test('the handler gets its params; the price function sees them; the resource keeps the host', async () => {
  const seen: unknown[] = []
  const GET = paywall.withPaywall(
    async (_request: NextRequest, context: Context) => {
      seen.push(await context.params)
      return Response.json({ ok: true })
    },
    {
      name: 'GET /reports/[pages]',
      price: (request) => 10_000n * BigInt(request.params.pages ?? '1'),
      payTo: payee(),
      network: devnet.network,
    },
  )
  const before = await balanceOf(payee())
  const { challenge, response } = await payRoute(GET, {
    path: '/reports/2',
    params: { pages: '2' },
  })
  expect(challenge.accepts[0]!.amount).toBe('20000')
  expect(challenge.resource.url).toBe(`${origin}/reports/2`)
  expect(response.status).toBe(200)
  expect(seen).toEqual([{ pages: '2' }])
  expect(await balanceOf(payee())).toBe(before + 20_000n)
})

test('a price function and the handler both read the body', async () => {
  const POST = paywall.withPaywall(
    async (request: NextRequest) => Response.json(await request.json()),
    {
      price: async (request) => BigInt(((await request.raw.json()) as { units: number }).units),
      payTo: payee(),
      network: devnet.network,
    },
  )
  const init = {
    method: 'POST',
    body: JSON.stringify({ units: 5 }),
    headers: { 'content-type': 'application/json' },
  }
  const { response } = await payRoute(POST, { path: '/quote', init, params: { pages: '1' } })
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ units: 5 })
})

test('a handler that throws charges nothing, and its error reaches Next', async () => {
  const GET = paywall.withPaywall(
    async () => {
      throw new Error('the route broke')
    },
    { price: '$0.01', payTo: payee(), network: devnet.network },
  )
  const before = await balanceOf(payee())
  await expect(payRoute(GET, { path: '/broken', params: { pages: '1' } })).rejects.toThrow(
    'the route broke',
  )
  expect(await balanceOf(payee())).toBe(before)
})
