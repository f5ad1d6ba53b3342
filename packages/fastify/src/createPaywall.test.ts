// The Fastify plugin on a real Fastify server on loopback, paid with real authorizations settled
// by the local facilitator on anvil: what only Fastify has (hooks, encapsulation, route config,
// streams, raw replies). The cases every adapter shares are in test/interop/adapters.
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import Fastify, { type FastifyInstance } from 'fastify'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 3 })
let app: FastifyInstance
let url: string
const runs: Record<string, number> = {}
const count = (name: string) => {
  runs[name] = (runs[name] ?? 0) + 1
  return runs[name]
}

const balanceOf = (owner: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
const payee = () => devnet.accounts[1]!.address

beforeAll(async () => {
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
  const paid = (price: string | bigint | ((request: { raw: { body: unknown } }) => bigint)) => ({
    price,
    payTo: payee(),
    network: devnet.network,
  })
  app = Fastify()
  // Priced in a child context only: its sibling stays free (encapsulation).
  await app.register(async (api) => {
    await api.register(
      createPaywall(facilitator, {
        assets: [devnet.usdc],
        logger: false,
        routes: {
          'POST /quote': {
            ...paid(0n),
            // The body is parsed before `preHandler`: a price function can read it.
            price: (request) => BigInt((request.raw.body as { units: number }).units) * 1000n,
          },
        },
      }),
    )
    api.get('/hijacked', { config: { paywall: paid('$0.01') } }, async (_request, reply) => {
      count('hijacked')
      reply.hijack()
      reply.raw.writeHead(200, { 'content-type': 'text/plain' })
      reply.raw.end('sent around the paywall')
    })
    api.get('/stream', { config: { paywall: paid('$0.01') } }, async (_request, reply) => {
      count('stream')
      reply.type('text/plain')
      return Readable.from(['chunk one, ', 'chunk two'])
    })
    api.get('/events', { config: { paywall: paid('$0.01') } }, async (_request, reply) => {
      count('events')
      reply.type('text/event-stream')
      return new Readable({ read() {} })
    })
    api.post(
      '/quote',
      {
        schema: {
          body: { type: 'object', required: ['units'], properties: { units: { type: 'integer' } } },
        },
      },
      async (request) => ({
        quoted: (request.body as { units: number }).units,
        run: count('quote'),
      }),
    )
  })
  app.get('/free', async () => ({ free: true }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
afterAll(() => app?.close())

async function pay(path: string, init: RequestInit = {}): Promise<Response> {
  const challenge = await fetch(`${url}${path}`, init)
  expect(challenge.status).toBe(402)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
  const headers = new Headers(init.headers)
  headers.set('PAYMENT-SIGNATURE', encodePaymentSignatureHeader(payload))
  return fetch(`${url}${path}`, { ...init, headers })
}

test('a route outside the plugin context is not priced', async () => {
  expect((await fetch(`${url}/free`)).status).toBe(200)
})

test('a price function reads the parsed body; a body failing validation gets its free 400', async () => {
  const json = { method: 'POST', headers: { 'content-type': 'application/json' } }
  const invalid = await fetch(`${url}/quote`, { ...json, body: JSON.stringify({ units: 'x' }) })
  expect(invalid.status).toBe(400)
  const before = await balanceOf(payee())
  const response = await pay('/quote', { ...json, body: JSON.stringify({ units: 7 }) })
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ quoted: 7, run: 1 })
  expect(await balanceOf(payee())).toBe(before + 7000n)
})

test('a streamed reply is held whole, then sent with the settlement', async () => {
  const before = await balanceOf(payee())
  const response = await pay('/stream')
  expect(response.status).toBe(200)
  expect(response.headers.get('payment-response')).toBeTruthy()
  expect(await response.text()).toBe('chunk one, chunk two')
  expect(await balanceOf(payee())).toBe(before + 10_000n)
})

test('an event stream cannot be held: 500 paid_response_not_holdable, nothing charged', async () => {
  const before = await balanceOf(payee())
  const response = await pay('/events')
  expect(response.status).toBe(500)
  expect(await response.json()).toMatchObject({ error: 'paid_response_not_holdable' })
  expect(runs.events).toBe(1)
  expect(await balanceOf(payee())).toBe(before)
})

test('a hijacked raw reply never reaches the client unpaid, nor hangs: 500, nothing charged', async () => {
  const before = await balanceOf(payee())
  const response = await pay('/hijacked')
  expect(response.status).toBe(500)
  const body = await response.json()
  expect(body).toMatchObject({ error: 'paid_response_not_holdable' })
  expect(JSON.stringify(body)).not.toContain('sent around the paywall')
  expect(runs.hijacked).toBe(1)
  expect(await balanceOf(payee())).toBe(before)
})

test('a HEAD of a GET priced by its route config is priced too', async () => {
  const response = await fetch(`${url}/stream`, { method: 'HEAD' })
  expect(response.status).toBe(402)
})
