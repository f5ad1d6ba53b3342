// The HTTP layer without Express: a `(Request) => Response` adapter of thirty lines (written here,
// as a Hono or Workers adapter would be) drives it over loopback, paid with real authorizations
// settled by the local facilitator on anvil. Nothing in the layer may need more than this.

import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  paymentIdentifierKey,
  reasons,
} from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { listen, useDevnet } from '@tollgate/test'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHttpPaywall, type HttpPaywall } from './createHttpPaywall.js'
import type { HttpAnswer, HttpHeld, PaywallResponse } from './types.js'

const devnet = useDevnet({ accounts: 3 })
const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'

type Handler = (request: Request) => Promise<Response>

/** The whole adapter: a request view, the handler's Response held as bytes, the answer out. */
function withPaywall(paywall: HttpPaywall<Request>, handler: Handler): Handler {
  return async (request) => {
    const extra = new Headers()
    let held: (HttpHeld & { response: PaywallResponse }) | undefined
    const answer: HttpAnswer = await paywall.handle({
      request: {
        method: request.method.toUpperCase(),
        path: new URL(request.url).pathname,
        url: request.url,
        header: (name) => request.headers.get(name) ?? undefined,
        raw: request,
      },
      response: {
        getHeader: (name) => extra.get(name) ?? undefined,
        setHeader: (name, value) => extra.set(name, value),
      },
      async run() {
        const response = await handler(request)
        const body = new Uint8Array(await response.arrayBuffer())
        const kept = {
          status: response.status,
          headers: Object.fromEntries(response.headers),
          body,
        }
        held = { aborted: false, status: response.status, snapshot: () => kept, response: kept }
        return held
      },
    })
    if (answer.kind === 'pass') return handler(request)
    if (answer.kind === 'drop') return new Response(null, { status: 499 })
    const out =
      answer.kind === 'release'
        ? { ...held!.response, headers: { ...held!.response.headers, ...answer.headers } }
        : answer.response
    const headers = new Headers(extra)
    for (const [name, value] of Object.entries(out.headers))
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
    const empty = out.status === 204 || request.method === 'HEAD'
    return new Response(empty ? null : (out.body as BodyInit), { status: out.status, headers })
  }
}

let payTo: Address
let server: Awaited<ReturnType<typeof listen>>
let runs = 0

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
  const paywall = createHttpPaywall<Request>(facilitator, {
    assets: [devnet.usdc],
    logger: false,
    agent: { agentRegistry, agentId: 7n },
    routes: { 'GET /report': { price: '$0.01', payTo, network: devnet.network } },
  })
  const app: Handler = async (request) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/free') return Response.json({ free: true })
    runs++
    return Response.json({ report: `run ${runs}` }, { headers: { 'X-Handler': 'yes' } })
  }
  server = await listen({ fetch: withPaywall(paywall, app) })
})
afterAll(() => server?.close())

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

async function signed(id?: string): Promise<string> {
  const challenge = await fetch(`${server.url}/report`)
  const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
    paymentRequired,
    ...(id ? { extensions: { [paymentIdentifierKey]: { info: { required: false, id } } } } : {}),
  })
  return encodePaymentSignatureHeader(payload)
}

const paid = (header: string) =>
  fetch(`${server.url}/report`, { headers: { 'PAYMENT-SIGNATURE': header } })

describe('createHttpPaywall behind a (Request) => Response adapter', () => {
  test('an unpriced route is the app’s; a priced one without payment is a 402 with CORS', async () => {
    expect(await (await fetch(`${server.url}/free`)).json()).toEqual({ free: true })
    const challenge = await fetch(`${server.url}/report`)
    expect(challenge.status).toBe(402)
    expect(challenge.headers.get('access-control-allow-origin')).toBe('*')
    expect(challenge.headers.get('access-control-expose-headers')).toBe(
      'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
    )
    const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
    expect(Object.keys(paymentRequired.extensions ?? {}).sort()).toEqual([
      'erc8004',
      'payment-identifier',
    ])
    expect(await challenge.json()).toMatchObject({ x402Version: 1, error: 'payment_required' })
  })

  test('paid: the held response goes out with PAYMENT-RESPONSE, charged once; the same header again is a replay', async () => {
    const header = await signed()
    const before = await balanceOf(payTo)
    const response = await paid(header)
    expect(response.status).toBe(200)
    expect(response.headers.get('x-handler')).toBe('yes')
    expect(await response.json()).toEqual({ report: `run ${runs}` })
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
      true,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    const replay = await paid(header)
    expect(replay.status).toBe(402)
    expect(decodePaymentRequiredHeader(replay.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      reasons.duplicateSettlement,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('a payment identifier: the kept response, byte for byte, with the same PAYMENT-RESPONSE', async () => {
    const header = await signed(`pay_${crypto.randomUUID().replace(/-/g, '')}`)
    const first = await paid(header)
    const second = await paid(header)
    expect(second.status).toBe(200)
    expect(await second.text()).toBe(await first.text())
    expect(second.headers.get('PAYMENT-RESPONSE')).toBe(first.headers.get('PAYMENT-RESPONSE'))
    expect(second.headers.get('x-handler')).toBe('yes')
  })

  test('the preflight and the registration file are answered by the layer', async () => {
    const preflight = await fetch(`${server.url}/report`, {
      method: 'OPTIONS',
      headers: { origin: 'https://buyer.example', 'access-control-request-method': 'GET' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET')
    const file = await fetch(`${server.url}/.well-known/agent-registration.json`)
    expect(await file.json()).toEqual({ registrations: [{ agentId: 7, agentRegistry }] })
  })
})
