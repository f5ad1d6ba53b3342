import diagnostics_channel from 'node:diagnostics_channel'
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodeHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  type PaymentPayload,
  type PaymentRequired,
  paymentRequiredSchema,
  paymentRequiredV1Schema,
  reasons,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { type Asset, createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { AgentConfigurationError, paywallReasons } from '@tollgate/paywall'
import type { FailedEvent, SettledEvent, VerifiedEvent } from '@tollgate/paywall/http'
import { listen, useDevnet } from '@tollgate/test'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import express from 'express'
import { type Address, erc20Abi, type Hex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { PaymentRequirementsSchema as LegacyRequirementsSchema } from 'x402/types'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 6 })

let payer: LocalAccount
let payTo: Address
let drainer: LocalAccount
let sink: Address
let assets: Asset[]
let facilitator: FacilitatorClient
let server: Awaited<ReturnType<typeof listen>>
const handlerCalls = new Map<string, number>()
const verified: VerifiedEvent[] = []
const settled: SettledEvent[] = []
const failures: FailedEvent[] = []
const logged: { message: string; context: Record<string, unknown> }[] = []
let flakyFailures = 0

const count = (name: string) => handlerCalls.set(name, (handlerCalls.get(name) ?? 0) + 1)

beforeAll(async () => {
  payer = devnet.accounts[0]!.account
  payTo = devnet.accounts[1]!.address
  drainer = devnet.accounts[3]!.account
  sink = devnet.accounts[4]!.address
  assets = [devnet.usdc]
  facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets,
  })
  const network = devnet.network
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets,
      maxHeaderBytes: 4096,
      logger: { error: (message, context) => logged.push({ message, context }) },
      hooks: {
        onVerified: (event) => {
          verified.push(event)
          if (event.request.path === '/hooks') throw new Error('onVerified broke')
        },
        onSettled: async (event) => {
          settled.push(event)
          if (event.request.path === '/hooks') throw new Error('onSettled broke')
        },
        onFailed: (event) => {
          failures.push(event)
        },
      },
      routes: {
        'GET /report': { price: '$0.01', payTo, network, description: 'A report' },
        'GET /fail': { price: '$0.01', payTo, network },
        'GET /flaky': { price: '$0.01', payTo, network },
        'GET /drain': { price: '$0.01', payTo, network },
        'GET /hooks': { price: '$0.01', payTo, network },
        'GET /items/:n': { price: ({ params }) => `$0.0${params.n}`, payTo, network },
        'GET /broken-price': {
          price: () => {
            throw new Error('no price')
          },
          payTo,
          network,
        },
        'POST /stream': { price: 20_000n, asset: devnet.usdc.address, payTo, network },
      },
    }),
  )
  app.get('/free', (_req, res) => {
    count('free')
    res.json({ free: true })
  })
  app.get('/report', (_req, res) => {
    count('report')
    res.json({ report: 'secret report' })
  })
  app.get('/fail', (_req, res) => {
    count('fail')
    res.status(500).json({ error: 'handler broke' })
  })
  app.get('/flaky', (_req, res) => {
    count('flaky')
    if (flakyFailures-- > 0) res.status(503).send('try again')
    else res.send('flaky content')
  })
  app.get('/drain', async (_req, res) => {
    count('drain')
    // The payer empties its balance after verification and before settlement.
    const balance = await balanceOf(drainer.address)
    const hash = await devnet.walletClient(drainer).writeContract({
      address: devnet.usdc.address,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [sink, balance],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
    res.json({ secret: 'drained secret' })
  })
  app.get('/hooks', (_req, res) => {
    count('hooks')
    res.send('hooked content')
  })
  app.get('/items/:n', (req, res) => {
    count('items')
    res.send(`item ${req.params.n}`)
  })
  app.post('/stream', (_req, res) => {
    count('stream')
    res.type('text/plain')
    res.write('part 1, ')
    setTimeout(() => res.end('part 2'), 10)
  })
  server = await listen(app)
})
afterAll(() => server?.close())

function balanceOf(address: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })
}

async function challenge(
  path: string,
  init: RequestInit = {},
): Promise<{ response: Response; paymentRequired: PaymentRequired; body: string }> {
  const response = await fetch(`${server.url}${path}`, init)
  const body = await response.text()
  const header = response.headers.get('PAYMENT-REQUIRED')
  if (!header) throw new Error(`no challenge from ${path}: ${response.status} ${body}`)
  return { response, paymentRequired: decodePaymentRequiredHeader(header), body }
}

async function signFor(
  path: string,
  {
    account = payer,
    init = {},
    id,
  }: { account?: LocalAccount; init?: RequestInit; id?: string } = {},
): Promise<PaymentPayload> {
  const { paymentRequired } = await challenge(path, init)
  return createPaymentPayload(account, {
    paymentRequired,
    ...(id ? { extensions: { 'payment-identifier': { info: { required: false, id } } } } : {}),
  })
}

function paid(path: string, header: string, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: { ...init.headers, 'PAYMENT-SIGNATURE': header },
  })
}

function reasonOf(response: Response): string | null | undefined {
  const header = response.headers.get('PAYMENT-REQUIRED')
  return header ? decodePaymentRequiredHeader(header).error : undefined
}

describe('challenge', () => {
  test('an unpriced route passes through untouched', async () => {
    const response = await fetch(`${server.url}/free`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ free: true })
    expect(response.headers.get('PAYMENT-REQUIRED')).toBeNull()
    expect(response.headers.get('access-control-expose-headers')).toBeNull()
  })

  test('a priced route without payment: 402, v2 header and v1 body, never cached', async () => {
    const { response, paymentRequired, body } = await challenge('/report?x=1')
    expect(response.status).toBe(402)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(paymentRequiredSchema.parse(paymentRequired)).toEqual(paymentRequired)
    expect(paymentRequired).toEqual({
      x402Version: 2,
      error: paywallReasons.paymentRequired,
      resource: { url: `${server.url}/report?x=1`, description: 'A report', mimeType: '' },
      accepts: [
        {
          scheme: 'exact',
          network: devnet.network,
          amount: '10000',
          asset: devnet.usdc.address,
          payTo,
          maxTimeoutSeconds: 300,
          extra: { name: 'USD Coin', version: '2' },
        },
      ],
      extensions: { 'payment-identifier': expect.objectContaining({ info: { required: false } }) },
    })
    const v1 = paymentRequiredV1Schema.parse(JSON.parse(body))
    expect(v1).toMatchObject({
      x402Version: 1,
      error: 'payment_required',
      accepts: [
        {
          scheme: 'exact',
          network: devnet.network,
          maxAmountRequired: '10000',
          resource: `${server.url}/report?x=1`,
          payTo,
          asset: devnet.usdc.address,
          extra: { name: 'USD Coin', version: '2' },
        },
      ],
    })
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
    )
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(handlerCalls.get('report')).toBeUndefined()
  })

  test('a browser gets the HTML paywall, with the header still there', async () => {
    const { response, body, paymentRequired } = await challenge('/report', {
      headers: { accept: 'text/html,application/xhtml+xml' },
    })
    expect(response.status).toBe(402)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(paymentRequired.accepts).toHaveLength(1)
    expect(body).toContain('0.01')
    expect(body).toContain(payTo)
  })

  test('a price function is called per request', async () => {
    const { paymentRequired } = await challenge('/items/5')
    expect(paymentRequired.accepts[0]?.amount).toBe('50000')
    const header = encodePaymentSignatureHeader(await signFor('/items/5'))
    const response = await paid('/items/5', header)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('item 5')
    // The same payment does not fit another price.
    const other = await paid('/items/6', encodePaymentSignatureHeader(await signFor('/items/5')))
    expect(other.status).toBe(402)
    expect(reasonOf(other)).toBe(paywallReasons.noMatchingRequirements)
  })

  test('a price function that throws: 500 with a reason, and the server goes on', async () => {
    const response = await fetch(`${server.url}/broken-price`)
    expect(response.status).toBe(500)
    expect(await response.json()).toMatchObject({ error: paywallReasons.priceUnavailable })
    expect((await fetch(`${server.url}/report`)).status).toBe(402)
  })

  test('CORS preflight for a priced route allows the payment headers', async () => {
    const response = await fetch(`${server.url}/report`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:9',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'payment-signature, x-custom',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toBe('GET')
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'PAYMENT-SIGNATURE, X-PAYMENT, Access-Control-Expose-Headers, Content-Type, x-custom',
    )
    // A preflight for an unpriced route is the app's business.
    const free = await fetch(`${server.url}/free`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'GET' },
    })
    expect(free.headers.get('access-control-allow-headers')).toBeNull()
  })
})

describe('paid requests (local facilitator on anvil)', () => {
  test('a paid call is served and settles once: the payee gains the amount exactly', async () => {
    const before = { payee: await balanceOf(payTo), payer: await balanceOf(payer.address) }
    const calls = handlerCalls.get('report') ?? 0
    const payload = await signFor('/report')
    const response = await paid('/report', encodePaymentSignatureHeader(payload))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'secret report' })
    const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({
      success: true,
      network: devnet.network,
      payer: payer.address,
    })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settlement.transaction as Hex,
    })
    expect(receipt.status).toBe('success')
    expect(await balanceOf(payTo)).toBe(before.payee + 10_000n)
    expect(await balanceOf(payer.address)).toBe(before.payer - 10_000n)
    expect(handlerCalls.get('report')).toBe(calls + 1)
    expect(verified.at(-1)).toMatchObject({ route: 'GET /report', payer: payer.address })
    expect(settled.at(-1)?.settlement.transaction).toBe(settlement.transaction)
  })

  test('the same header twice: served and charged once, the replay gets 402 duplicate_settlement', async () => {
    const header = encodePaymentSignatureHeader(await signFor('/report'))
    const before = await balanceOf(payTo)
    const calls = handlerCalls.get('report') ?? 0
    expect((await paid('/report', header)).status).toBe(200)
    const replay = await paid('/report', header)
    expect(replay.status).toBe(402)
    expect(reasonOf(replay)).toBe(reasons.duplicateSettlement)
    expect(await replay.text()).not.toContain('secret report')
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(handlerCalls.get('report')).toBe(calls + 1)
  })

  test('one header in 50 parallel requests: one 200, 49 402s, one transfer', async () => {
    const header = encodePaymentSignatureHeader(await signFor('/report'))
    const before = await balanceOf(payTo)
    const calls = handlerCalls.get('report') ?? 0
    const responses = await Promise.all(Array.from({ length: 50 }, () => paid('/report', header)))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 402)).toHaveLength(49)
    for (const response of responses.filter((r) => r.status === 402)) {
      expect([reasons.duplicateSettlement, reasons.invalidExactEvmNonceAlreadyUsed]).toContain(
        reasonOf(response),
      )
      expect(await response.text()).not.toContain('secret report')
    }
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(handlerCalls.get('report')).toBe(calls + 1)
  })

  test('a handler that answers 500: passed through, nothing charged', async () => {
    const before = await balanceOf(payTo)
    const response = await paid('/fail', encodePaymentSignatureHeader(await signFor('/fail')))
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'handler broke' })
    expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
    expect(await balanceOf(payTo)).toBe(before)
    expect(failures.at(-1)).toMatchObject({ stage: 'handler', status: 500, route: 'GET /fail' })
  })

  test('after a failed handler the payment is released: the same header pays once it succeeds', async () => {
    flakyFailures = 1
    const header = encodePaymentSignatureHeader(await signFor('/flaky'))
    const before = await balanceOf(payTo)
    const first = await paid('/flaky', header)
    expect(first.status).toBe(503)
    expect(await balanceOf(payTo)).toBe(before)
    const second = await paid('/flaky', header)
    expect(second.status).toBe(200)
    expect(await second.text()).toBe('flaky content')
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('the payer empties its balance between verify and settle: 402, reason, no body', async () => {
    const before = await balanceOf(payTo)
    const header = encodePaymentSignatureHeader(await signFor('/drain', { account: drainer }))
    const response = await paid('/drain', header)
    expect(response.status).toBe(402)
    const text = await response.text()
    expect(text).not.toContain('drained secret')
    const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmInsufficientBalance,
      transaction: '',
    })
    expect(reasonOf(response)).toBe(reasons.invalidExactEvmInsufficientBalance)
    expect(JSON.parse(text)).toMatchObject({
      x402Version: 1,
      error: reasons.invalidExactEvmInsufficientBalance,
    })
    expect(await balanceOf(payTo)).toBe(before)
    expect(handlerCalls.get('drain')).toBe(1)
    expect(failures.at(-1)).toMatchObject({ stage: 'settle', status: 402 })
  })

  test('streamed writes are held and delivered whole with the settlement header', async () => {
    const init = { method: 'POST' }
    const header = encodePaymentSignatureHeader(await signFor('/stream', { init }))
    const before = await balanceOf(payTo)
    const response = await paid('/stream', header, init)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('part 1, part 2')
    expect(response.headers.get('PAYMENT-RESPONSE')).not.toBeNull()
    expect(await balanceOf(payTo)).toBe(before + 20_000n)
  })

  test('hooks that throw are logged and never undo a settled payment', async () => {
    const before = await balanceOf(payTo)
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    diagnostics_channel.subscribe('tollgate:paywall:hook-error', listener)
    try {
      const response = await paid('/hooks', encodePaymentSignatureHeader(await signFor('/hooks')))
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('hooked content')
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
        true,
      )
    } finally {
      diagnostics_channel.unsubscribe('tollgate:paywall:hook-error', listener)
    }
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    const hookErrors = logged.filter((entry) => entry.context.hook !== undefined)
    expect(hookErrors.map((entry) => entry.context.hook)).toEqual(['onVerified', 'onSettled'])
    // Logged as text (the error objects themselves go to the channel).
    expect(hookErrors.map((entry) => entry.context.error)).toEqual([
      'Error: onVerified broke',
      'Error: onSettled broke',
    ])
    expect(events).toHaveLength(2)
  })

  test('a v1 payment in X-PAYMENT settles and answers X-PAYMENT-RESPONSE', async () => {
    const { body } = await challenge('/report')
    const paymentRequired = paymentRequiredV1Schema.parse(JSON.parse(body))
    const payload = await createPaymentPayload(payer, { paymentRequired })
    expect(payload.x402Version).toBe(1)
    const before = await balanceOf(payTo)
    const response = await fetch(`${server.url}/report`, {
      headers: { 'X-PAYMENT': encodeXPaymentHeader(payload) },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
    expect(decodePaymentResponseHeader(response.headers.get('X-PAYMENT-RESPONSE')!)).toMatchObject({
      success: true,
      network: devnet.network,
    })
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })
})

describe('idempotency (payment-identifier)', () => {
  test('same id and payload: the stored response is replayed, charged once', async () => {
    const id = `pay_${crypto.randomUUID().replace(/-/g, '')}`
    const header = encodePaymentSignatureHeader(await signFor('/report', { id }))
    const before = await balanceOf(payTo)
    const calls = handlerCalls.get('report') ?? 0
    const first = await paid('/report', header)
    const second = await paid('/report', header)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(await second.json()).toEqual(await first.json())
    expect(second.headers.get('PAYMENT-RESPONSE')).toBe(first.headers.get('PAYMENT-RESPONSE'))
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(handlerCalls.get('report')).toBe(calls + 1)
  })

  test('same id in parallel: one run, every request gets the same paid response', async () => {
    const id = `pay_${crypto.randomUUID().replace(/-/g, '')}`
    const header = encodePaymentSignatureHeader(await signFor('/report', { id }))
    const before = await balanceOf(payTo)
    const responses = await Promise.all(Array.from({ length: 10 }, () => paid('/report', header)))
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200))
    expect(new Set(responses.map((r) => r.headers.get('PAYMENT-RESPONSE'))).size).toBe(1)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('same id with a different payload: 409, not charged', async () => {
    const id = `pay_${crypto.randomUUID().replace(/-/g, '')}`
    expect(
      (await paid('/report', encodePaymentSignatureHeader(await signFor('/report', { id }))))
        .status,
    ).toBe(200)
    const before = await balanceOf(payTo)
    const conflict = await paid(
      '/report',
      encodePaymentSignatureHeader(await signFor('/report', { id })),
    )
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: paywallReasons.paymentIdentifierConflict })
    expect(await balanceOf(payTo)).toBe(before)
  })

  test('a malformed id: 400 with a reason', async () => {
    const response = await paid(
      '/report',
      encodePaymentSignatureHeader(await signFor('/report', { id: 'short' })),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: paywallReasons.invalidPaymentIdentifier })
  })
})

describe('bad input: a 402 with a reason, never a 500', () => {
  const cases: [string, () => Promise<Record<string, string>>, string][] = [
    [
      'not base64',
      async () => ({ 'PAYMENT-SIGNATURE': '%%%not-base64%%%' }),
      paywallReasons.invalidHeaderEncoding,
    ],
    [
      'base64 of text',
      async () => ({ 'PAYMENT-SIGNATURE': Buffer.from('pay me').toString('base64') }),
      paywallReasons.invalidHeaderJson,
    ],
    [
      'an oversized header',
      async () => ({ 'PAYMENT-SIGNATURE': encodeHeader({ pad: 'x'.repeat(5000) }) }),
      paywallReasons.headerTooLarge,
    ],
    [
      'JSON of the wrong shape',
      async () => ({ 'PAYMENT-SIGNATURE': encodeHeader({ x402Version: 2, accepted: 'yes' }) }),
      reasons.invalidPayload,
    ],
    [
      'an unknown x402Version',
      async () => ({ 'PAYMENT-SIGNATURE': encodeHeader({ x402Version: 7 }) }),
      reasons.invalidX402Version,
    ],
    [
      'an unknown scheme',
      async () => {
        const payload = await signFor('/report')
        return {
          'PAYMENT-SIGNATURE': encodePaymentSignatureHeader({
            ...payload,
            // Not `upto`: the paywall knows that scheme now.
            accepted: { ...payload.accepted, scheme: 'stream' },
          }),
        }
      },
      reasons.unsupportedScheme,
    ],
    [
      'an unknown network',
      async () => {
        const payload = await signFor('/report')
        return {
          'PAYMENT-SIGNATURE': encodePaymentSignatureHeader({
            ...payload,
            accepted: { ...payload.accepted, network: 'eip155:1' },
          }),
        }
      },
      reasons.invalidNetwork,
    ],
    [
      'a mismatched accepted',
      async () => {
        const payload = await signFor('/report')
        return {
          'PAYMENT-SIGNATURE': encodePaymentSignatureHeader({
            ...payload,
            accepted: { ...payload.accepted, amount: '1' },
          }),
        }
      },
      paywallReasons.noMatchingRequirements,
    ],
    [
      'a forged signature',
      async () => {
        const payload = await signFor('/report')
        const other = await signFor('/report', { account: devnet.accounts[5]!.account })
        return {
          'PAYMENT-SIGNATURE': encodePaymentSignatureHeader({
            ...payload,
            payload: { ...payload.payload, signature: other.payload.signature },
          }),
        }
      },
      reasons.invalidExactEvmSignature,
    ],
    [
      'garbage in X-PAYMENT',
      async () => ({ 'X-PAYMENT': encodeHeader({ x402Version: 1, scheme: 'exact' }) }),
      reasons.invalidPayload,
    ],
  ]

  test.each(cases)('%s', async (_name, headers, reason) => {
    const before = await balanceOf(payTo)
    const calls = handlerCalls.get('report') ?? 0
    const response = await fetch(`${server.url}/report`, { headers: await headers() })
    expect(response.status).toBe(402)
    expect(reasonOf(response)).toBe(reason)
    const body = JSON.parse(await response.text())
    expect(body).toMatchObject({ x402Version: 1, error: reason })
    expect(body.message).toEqual(expect.any(String))
    expect(handlerCalls.get('report') ?? 0).toBe(calls)
    expect(await balanceOf(payTo)).toBe(before)
    // Still alive.
    expect((await fetch(`${server.url}/free`)).status).toBe(200)
  })
})

describe('facilitator faults', () => {
  async function appWith(facilitatorClient: FacilitatorClient) {
    const app = express()
    app.use(
      createPaywall(facilitatorClient, {
        assets,
        routes: { 'GET /r': { price: '$0.01', payTo, network: devnet.network } },
      }),
    )
    let calls = 0
    app.get('/r', (_req, res) => {
      calls++
      res.send('facilitated secret')
    })
    const served = await listen(app)
    return { served, calls: () => calls }
  }

  async function payloadFor(url: string) {
    const response = await fetch(url)
    return createPaymentPayload(payer, {
      paymentRequired: decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!),
    })
  }

  test('an unreachable facilitator: 503 with a reason, the handler never runs', async () => {
    const down = createHttpFacilitatorClient({ url: 'http://127.0.0.1:9/facilitator' })
    const { served, calls } = await appWith(down)
    try {
      const header = encodePaymentSignatureHeader(await payloadFor(`${served.url}/r`))
      const response = await fetch(`${served.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('1')
      expect(await response.json()).toMatchObject({ error: reasons.unexpectedVerifyError })
      expect(calls()).toBe(0)
    } finally {
      await served.close()
    }
  })

  test('a facilitator whose settle answers failure: 402 and no body leak', async () => {
    const refusing: FacilitatorClient = {
      verify: (request) => facilitator.verify(request),
      settle: async (request) => ({
        success: false,
        errorReason: reasons.invalidExactEvmTransactionFailed,
        transaction: '',
        network: request.paymentRequirements.network,
      }),
      supported: () => facilitator.supported(),
    }
    const { served, calls } = await appWith(refusing)
    try {
      const before = await balanceOf(payTo)
      const header = encodePaymentSignatureHeader(await payloadFor(`${served.url}/r`))
      const response = await fetch(`${served.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(response.status).toBe(402)
      expect(await response.text()).not.toContain('facilitated secret')
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
        success: false,
        errorReason: reasons.invalidExactEvmTransactionFailed,
      })
      expect(calls()).toBe(1)
      expect(await balanceOf(payTo)).toBe(before)
    } finally {
      await served.close()
    }
  })

  test('a facilitator whose settle throws: 502, the body withheld and kept; the same payment delivers it once settling works, charged once', async () => {
    let broken = true
    const throwing: FacilitatorClient = {
      verify: (request) => facilitator.verify(request),
      settle: async (request) => {
        if (broken) throw new Error('facilitator exploded')
        return facilitator.settle(request)
      },
      supported: () => facilitator.supported(),
    }
    const { served, calls } = await appWith(throwing)
    try {
      const header = encodePaymentSignatureHeader(await payloadFor(`${served.url}/r`))
      const before = await balanceOf(payTo)
      const response = await fetch(`${served.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(response.status).toBe(502)
      expect(await response.text()).not.toContain('facilitated secret')
      expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
        success: false,
        errorReason: reasons.unexpectedSettleError,
      })
      // Still broken: the same answer; the handler does not run again.
      const again = await fetch(`${served.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(again.status).toBe(502)
      expect(calls()).toBe(1)
      broken = false
      const delivered = await fetch(`${served.url}/r`, {
        headers: { 'PAYMENT-SIGNATURE': header },
      })
      expect(delivered.status).toBe(200)
      expect(await delivered.text()).toBe('facilitated secret')
      expect(decodePaymentResponseHeader(delivered.headers.get('PAYMENT-RESPONSE')!).success).toBe(
        true,
      )
      expect(calls()).toBe(1)
      expect(await balanceOf(payTo)).toBe(before + 10_000n)
      // Finished: a replay.
      const replay = await fetch(`${served.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
      expect(replay.status).toBe(402)
      expect(reasonOf(replay)).toBe(reasons.duplicateSettlement)
    } finally {
      await served.close()
    }
  })
})

describe('agent identity', () => {
  const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'
  const agentPayTo = privateKeyToAccount(generatePrivateKey()).address
  const registrationFile = {
    type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
    name: 'weather',
    services: [{ name: 'web', endpoint: 'https://weather.example/report' }],
    registrations: [] as { agentId: number; agentRegistry: string }[],
  }
  let agentServer: Awaited<ReturnType<typeof listen>>
  let fileCalls = 0
  let fileBroken = false
  const agentLogged: string[] = []

  beforeAll(async () => {
    const app = express()
    app.use(
      createPaywall(facilitator, {
        assets,
        agent: {
          agentRegistry,
          agentId: 42n,
          registrationFile: async () => {
            fileCalls++
            if (fileBroken) throw new Error('ipfs gateway down')
            return registrationFile
          },
        },
        logger: { error: (message) => agentLogged.push(message) },
        routes: {
          'GET /report': { price: '$0.01', payTo: agentPayTo, network: devnet.network },
          // A network legacy x402 knows by name, to check its schema accepts the body.
          'GET /legacy': { price: '$0.01', payTo: agentPayTo, network: 'base-sepolia' },
        },
      }),
    )
    app.get('/report', (_req, res) => {
      res.json({ report: 'agent report' })
    })
    app.post('/.well-known/agent-registration.json', (_req, res) => {
      res.status(405).json({ handledBy: 'app' })
    })
    agentServer = await listen(app)
  })
  afterAll(() => agentServer?.close())

  test('GET /.well-known/agent-registration.json serves the file with this registration added', async () => {
    const response = await fetch(`${agentServer.url}/.well-known/agent-registration.json`, {
      headers: { Origin: 'https://buyer.example' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual({
      ...registrationFile,
      registrations: [{ agentId: 42, agentRegistry }],
    })

    const head = await fetch(`${agentServer.url}/.well-known/agent-registration.json`, {
      method: 'HEAD',
    })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    // Other methods are the app's.
    const post = await fetch(`${agentServer.url}/.well-known/agent-registration.json`, {
      method: 'POST',
    })
    expect(post.status).toBe(405)
    expect(await post.json()).toEqual({ handledBy: 'app' })
    expect(fileCalls).toBe(2)
  })

  test('a registration file function that throws: 500 and a log line, never a crash', async () => {
    fileBroken = true
    try {
      const response = await fetch(`${agentServer.url}/.well-known/agent-registration.json`)
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({
        error: paywallReasons.registrationUnavailable,
        message: 'The agent registration file could not be built.',
      })
      expect(agentLogged).toEqual(['tollgate paywall: the registration file could not be built'])
    } finally {
      fileBroken = false
    }
  })

  test('every 402 names the agent: v2 extensions beside payment-identifier, and the v1 body', async () => {
    const response = await fetch(`${agentServer.url}/report`)
    expect(response.status).toBe(402)
    const paymentRequired = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
    expect(Object.keys(paymentRequired.extensions ?? {}).sort()).toEqual([
      'erc8004',
      'payment-identifier',
    ])
    expect(paymentRequired.extensions?.erc8004).toMatchObject({
      info: { agentRegistry, agentId: 42 },
      schema: { type: 'object', required: ['agentRegistry', 'agentId'] },
    })
    expect(paymentRequired.accepts).toHaveLength(1)
    expect(paymentRequired.accepts[0]!.payTo).toBe(agentPayTo)

    const body = JSON.parse(await response.text())
    expect(body.extensions).toEqual({ erc8004: paymentRequired.extensions?.erc8004 })
    expect(paymentRequiredV1Schema.parse(body).accepts[0]!.payTo).toBe(agentPayTo)
    // Legacy x402-fetch reads `{ x402Version, accepts }` from the body (the extra top-level field is
    // never looked at) and parses each entry with this schema.
    const legacy = await (await fetch(`${agentServer.url}/legacy`)).json()
    expect(legacy.extensions).toEqual(body.extensions)
    expect(LegacyRequirementsSchema.parse(legacy.accepts[0])).toMatchObject({
      network: 'base-sepolia',
      payTo: agentPayTo,
    })
  })

  test('a v2 payment echoing the agent extension is matched, verified and settled', async () => {
    const { paymentRequired } = await (async () => {
      const response = await fetch(`${agentServer.url}/report`)
      return {
        paymentRequired: decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!),
      }
    })()
    const payload = await createPaymentPayload(payer, { paymentRequired })
    expect(payload.extensions?.erc8004).toEqual(paymentRequired.extensions?.erc8004)
    const before = await balanceOf(agentPayTo)
    const response = await fetch(`${agentServer.url}/report`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'agent report' })
    expect(await balanceOf(agentPayTo)).toBe(before + 10_000n)
  })

  test('the reference client (@x402/fetch) pays a paywall that names its agent', async () => {
    const client = new x402Client()
      .register('eip155:*', new ExactEvmScheme(devnet.accounts[5]!.account))
      .setSpendControls({
        allowedAssets: [{ network: devnet.network, asset: devnet.usdc.address }],
      })
    const before = await balanceOf(agentPayTo)
    const response = await wrapFetchWithPayment(fetch, client)(`${agentServer.url}/report`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'agent report' })
    expect(await balanceOf(agentPayTo)).toBe(before + 10_000n)
  })

  test('a malformed agent option throws when the paywall is created', () => {
    expect(() =>
      createPaywall(facilitator, {
        routes: {},
        agent: { agentRegistry: '0x8004A818BFB912233c491871b3d84c89A494BD9e', agentId: 1n },
      }),
    ).toThrowErrorMatchingInlineSnapshot(
      `
      [AgentConfigurationError: The agent option is invalid: agentRegistry: expected an agent registry "eip155:<chainId>:<address>", got 0x8004A818BFB912233c491871b3d84c89A494BD9e.

      Docs: https://tollgate.dev/docs/concepts/identities]
    `,
    )
    expect(() =>
      createPaywall(facilitator, { routes: {}, agent: { agentRegistry, agentId: -1 } }),
    ).toThrow(AgentConfigurationError)
  })

  test('without the agent option the well-known path belongs to the app', async () => {
    const response = await fetch(`${server.url}/.well-known/agent-registration.json`)
    expect(response.status).toBe(404)
  })
})
