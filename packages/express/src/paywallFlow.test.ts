// Settlement order (serve-first, settle-first), pending settlements finished by re-sending the same
// payment, and payment-identifier replays, through a real Express server, the local facilitator and
// anvil.

import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  type PaymentPayload,
  reasons,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { paywallReasons } from '@tollgate/paywall'
import type { FailedEvent } from '@tollgate/paywall/http'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 4 })

let payTo: Address
let server: Awaited<ReturnType<typeof listen>>
/** What each handler saw: the payee's balance when it ran (to tell before from after settlement). */
const seen = new Map<string, bigint[]>()
const failures: FailedEvent[] = []
let failNext = 0
/**
 * When set, every settle call announces itself (`reached`) and waits for `open`: the test decides
 * when the first request of a group leaves settlement, instead of racing blocks against a timer.
 */
let gate: { reached: () => void; opened: Promise<void> } | undefined
/** Paid requests that reached the paywall, by path (counted before it runs). */
const arrivals = new Map<string, number>()

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  const network = devnet.network
  const assets = [devnet.usdc]
  const local = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets,
    // Short, so that a test with mining off sees `settlement_pending` quickly.
    receiptTimeoutMs: 400,
  })
  const facilitator: FacilitatorClient = {
    verify: (request) => local.verify(request),
    supported: () => local.supported(),
    async settle(request) {
      if (gate) {
        gate.reached()
        await gate.opened
      }
      return local.settle(request)
    },
  }
  const app = express()
  app.use((req, _res, next) => {
    if (req.headers['payment-signature']) arrivals.set(req.path, (arrivals.get(req.path) ?? 0) + 1)
    next()
  })
  app.use(
    createPaywall(facilitator, {
      assets,
      hooks: { onFailed: (event) => void failures.push(event) },
      routes: {
        'GET /serve-first': { price: '$0.01', payTo, network },
        'GET /settle-first': { price: '$0.01', payTo, network, order: 'settle-first' },
        'GET /settle-first-flaky': { price: '$0.01', payTo, network, order: 'settle-first' },
      },
    }),
  )
  const handler = (name: string) => async (_req: express.Request, res: express.Response) => {
    seen.set(name, [...(seen.get(name) ?? []), await balanceOf(payTo)])
    if (name === 'settle-first-flaky' && failNext-- > 0) {
      res.status(500).json({ error: 'handler broke' })
      return
    }
    res.json({ content: name })
  }
  app.get('/serve-first', handler('serve-first'))
  app.get('/settle-first', handler('settle-first'))
  app.get('/settle-first-flaky', handler('settle-first-flaky'))
  server = await listen(app)
})
afterAll(() => server?.close())
afterEach(() => devnet.testClient.setAutomine(true))

async function sign(path: string, id?: string | undefined): Promise<PaymentPayload> {
  const response = await fetch(`${server.url}${path}`)
  const paymentRequired = decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)
  return createPaymentPayload(devnet.accounts[0]!.account, {
    paymentRequired,
    ...(id ? { extensions: { 'payment-identifier': { info: { required: false, id } } } } : {}),
  })
}

const paid = (path: string, header: string) =>
  fetch(`${server.url}${path}`, { headers: { 'PAYMENT-SIGNATURE': header } })

const newId = () => `pay_${crypto.randomUUID().replace(/-/g, '')}`

describe('402 answers are never cached', () => {
  test('the challenge (v2 header, v1 body) and refused v1 and v2 payments carry Cache-Control: no-store', async () => {
    const challenge = await fetch(`${server.url}/serve-first`)
    expect(challenge.status).toBe(402)
    expect(challenge.headers.get('cache-control')).toBe('no-store')
    expect(challenge.headers.get('PAYMENT-REQUIRED')).not.toBeNull()
    const body = await challenge.json()
    expect(body).toMatchObject({ x402Version: 1, accepts: [expect.any(Object)] })

    // A v1 payment (X-PAYMENT) signed by an account with no funds: refused, 402, v1 body.
    const broke = privateKeyToAccount(generatePrivateKey())
    const v1 = await createPaymentPayload(broke, { requirements: body.accepts[0] })
    const refusedV1 = await fetch(`${server.url}/serve-first`, {
      headers: { 'X-PAYMENT': encodeXPaymentHeader(v1 as never) },
    })
    expect(refusedV1.status).toBe(402)
    expect(refusedV1.headers.get('cache-control')).toBe('no-store')
    expect(await refusedV1.json()).toMatchObject({ x402Version: 1, error: expect.any(String) })

    // The same for v2 (PAYMENT-SIGNATURE): the refusal is in the PAYMENT-REQUIRED header.
    const paymentRequired = decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!)
    const v2 = await createPaymentPayload(broke, { paymentRequired })
    const refusedV2 = await paid('/serve-first', encodePaymentSignatureHeader(v2))
    expect(refusedV2.status).toBe(402)
    expect(refusedV2.headers.get('cache-control')).toBe('no-store')
    expect(decodePaymentRequiredHeader(refusedV2.headers.get('PAYMENT-REQUIRED')!).error).toEqual(
      expect.any(String),
    )
  })
})

describe('serve-first (the default)', () => {
  test('the handler runs before the transfer; the response goes out after it', async () => {
    const before = await balanceOf(payTo)
    const response = await paid(
      '/serve-first',
      encodePaymentSignatureHeader(await sign('/serve-first')),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ content: 'serve-first' })
    expect(seen.get('serve-first')?.at(-1)).toBe(before)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
      true,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('settlement_pending twice: 402 with the pending PAYMENT-RESPONSE, no body; the same payment again delivers the held response once mined', async () => {
    const header = encodePaymentSignatureHeader(await sign('/serve-first'))
    const before = await balanceOf(payTo)
    const runs = seen.get('serve-first')?.length ?? 0
    await devnet.testClient.setAutomine(false)

    const pending = await paid('/serve-first', header)
    expect(pending.status).toBe(402)
    expect(pending.headers.get('cache-control')).toBe('no-store')
    const body = await pending.json()
    expect(body).not.toHaveProperty('content')
    const settlement = decodePaymentResponseHeader(pending.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement).toMatchObject({ success: false, errorReason: reasons.settlementPending })
    expect(settlement.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    expect(decodePaymentRequiredHeader(pending.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      reasons.settlementPending,
    )
    // One transaction in the mempool: the middleware's retry did not send a second one.
    const pool = await devnet.testClient.getTxpoolContent()
    expect(Object.values(pool.pending).flatMap((byNonce) => Object.values(byNonce))).toHaveLength(1)

    // Still unmined: the same payment again is still pending, and still nothing new is sent.
    const stillPending = await paid('/serve-first', header)
    expect(stillPending.status).toBe(402)
    expect(
      decodePaymentResponseHeader(stillPending.headers.get('PAYMENT-RESPONSE')!).transaction,
    ).toBe(settlement.transaction)

    // The same authorization under another signature cannot collect the kept response.
    const forged = JSON.parse(Buffer.from(header, 'base64').toString('utf8'))
    forged.payload.signature = `0x${'22'.repeat(65)}`
    const taken = await paid('/serve-first', encodePaymentSignatureHeader(forged as PaymentPayload))
    expect(taken.status).toBe(402)
    expect(decodePaymentRequiredHeader(taken.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      paywallReasons.duplicateSettlement,
    )

    await devnet.testClient.mine({ blocks: 1 })
    const delivered = await paid('/serve-first', header)
    expect(delivered.status).toBe(200)
    expect(await delivered.json()).toEqual({ content: 'serve-first' })
    expect(decodePaymentResponseHeader(delivered.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: true,
      transaction: settlement.transaction,
    })
    // The handler ran once; the payee was paid once.
    expect(seen.get('serve-first')).toHaveLength(runs + 1)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)

    // Finished: the same payment once more is a replay.
    const replay = await paid('/serve-first', header)
    expect(replay.status).toBe(402)
    expect(decodePaymentRequiredHeader(replay.headers.get('PAYMENT-REQUIRED')!).error).toBe(
      paywallReasons.duplicateSettlement,
    )
  })
})

describe('settle-first', () => {
  test('the transfer lands before the handler runs; charged once', async () => {
    const before = await balanceOf(payTo)
    const response = await paid(
      '/settle-first',
      encodePaymentSignatureHeader(await sign('/settle-first')),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ content: 'settle-first' })
    // The handler saw the payee already paid.
    expect(seen.get('settle-first')?.at(-1)).toBe(before + 10_000n)
    expect(decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).success).toBe(
      true,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('a v1 payment (X-PAYMENT) settles first too', async () => {
    const before = await balanceOf(payTo)
    const challenge = await (await fetch(`${server.url}/settle-first`)).json()
    const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
      requirements: challenge.accepts[0],
    })
    const response = await fetch(`${server.url}/settle-first`, {
      headers: { 'X-PAYMENT': encodeXPaymentHeader(payload as never) },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('X-PAYMENT-RESPONSE')).not.toBeNull()
    expect(seen.get('settle-first')?.at(-1)).toBe(before + 10_000n)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('a failing handler keeps the payment: the client gets the error with a successful PAYMENT-RESPONSE; the same payment again runs the handler without a second charge', async () => {
    const header = encodePaymentSignatureHeader(await sign('/settle-first-flaky'))
    const before = await balanceOf(payTo)
    failNext = 1
    const failedResponse = await paid('/settle-first-flaky', header)
    expect(failedResponse.status).toBe(500)
    expect(await failedResponse.json()).toEqual({ error: 'handler broke' })
    const settlement = decodePaymentResponseHeader(failedResponse.headers.get('PAYMENT-RESPONSE')!)
    expect(settlement.success).toBe(true)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
    expect(failures.at(-1)).toMatchObject({ stage: 'handler', reason: 'handler_failed' })
    expect(failures.at(-1)?.settlement?.transaction).toBe(settlement.transaction)

    const retried = await paid('/settle-first-flaky', header)
    expect(retried.status).toBe(200)
    expect(await retried.json()).toEqual({ content: 'settle-first-flaky' })
    expect(decodePaymentResponseHeader(retried.headers.get('PAYMENT-RESPONSE')!).transaction).toBe(
      settlement.transaction,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)

    // One successful response per payment: a third send is a replay.
    const third = await paid('/settle-first-flaky', header)
    expect(third.status).toBe(402)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('a payment that does not verify: 402, nothing settles, the handler never runs', async () => {
    const payload = await sign('/settle-first')
    // The same authorization with another signature cannot settle (nor verify).
    const forged = {
      ...payload,
      payload: { ...payload.payload, signature: `0x${'11'.repeat(65)}` },
    } as PaymentPayload
    const runs = seen.get('settle-first')?.length ?? 0
    const before = await balanceOf(payTo)
    const response = await paid('/settle-first', encodePaymentSignatureHeader(forged))
    expect(response.status).toBe(402)
    expect(seen.get('settle-first')?.length ?? 0).toBe(runs)
    expect(await balanceOf(payTo)).toBe(before)
  })
})

describe.each([
  ['serve-first', '/serve-first'],
  ['settle-first', '/settle-first'],
])('payment-identifier, %s', (_order, path) => {
  test('the same id and payload again: the stored response, charged once, the handler once', async () => {
    const id = newId()
    const header = encodePaymentSignatureHeader(await sign(path, id))
    const before = await balanceOf(payTo)
    const runs = seen.get(path.slice(1))?.length ?? 0
    const first = await paid(path, header)
    const second = await paid(path, header)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(await second.json()).toEqual(await first.json())
    expect(second.headers.get('PAYMENT-RESPONSE')).toBe(first.headers.get('PAYMENT-RESPONSE'))
    expect(seen.get(path.slice(1))).toHaveLength(runs + 1)
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })

  test('the same id with another payload: 409, not charged', async () => {
    const id = newId()
    expect((await paid(path, encodePaymentSignatureHeader(await sign(path, id)))).status).toBe(200)
    const before = await balanceOf(payTo)
    const conflict = await paid(path, encodePaymentSignatureHeader(await sign(path, id)))
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({ error: paywallReasons.paymentIdentifierConflict })
    expect(await balanceOf(payTo)).toBe(before)
  })

  test('in flight: duplicates of a request still settling wait for it and get its response; another payload with the id gets 409', async () => {
    const id = newId()
    const header = encodePaymentSignatureHeader(await sign(path, id))
    const other = encodePaymentSignatureHeader(await sign(path, id))
    const before = await balanceOf(payTo)
    const runs = seen.get(path.slice(1))?.length ?? 0
    const arrived = arrivals.get(path) ?? 0
    // The first request is held in settlement until the others are in.
    let open!: () => void
    const inSettlement = new Promise<void>((reached) => {
      gate = { reached, opened: new Promise<void>((resolve) => (open = resolve)) }
    })
    try {
      const first = paid(path, header)
      await inSettlement
      const conflict = await paid(path, other)
      expect(conflict.status).toBe(409)
      const duplicates = Array.from({ length: 4 }, () => paid(path, header))
      // All four reached the paywall; each claims the identifier without waiting on I/O, so
      // by the next turn of the event loop each is waiting on the first.
      while ((arrivals.get(path) ?? 0) < arrived + 6) await new Promise(setImmediate)
      await new Promise(setImmediate)
      gate = undefined
      open()
      const responses = await Promise.all([first, ...duplicates])
      // One transfer; every answer is the first's paid response.
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200])
      const bodies = await Promise.all(responses.map((response) => response.json()))
      expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1)
      const transactions = new Set(
        responses.map(
          (response) =>
            decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!).transaction,
        ),
      )
      expect(transactions.size).toBe(1)
      expect(seen.get(path.slice(1))).toHaveLength(runs + 1)
      expect(await balanceOf(payTo)).toBe(before + 10_000n)
    } finally {
      gate = undefined
      open()
    }
  })
})
