import diagnostics from 'node:diagnostics_channel'
import { ReadableStream } from 'node:stream/web'
import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequired,
  PaymentRequiredV1,
  PaymentRequirements,
} from '@tollgate/core'
import {
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@tollgate/core'
import type { Receipt } from '@tollgate/payer'
import {
  BudgetExceededError,
  createMemoryReceiptLog,
  createPolicy,
  InvalidChallengeError,
  PolicyRefusedError,
} from '@tollgate/payer'
import { listen } from '@tollgate/test'
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts'
import { afterEach, describe, expect, test } from 'vitest'
import { diagnosticChannels } from './diagnostics.js'
import { BodyNotReplayableError } from './errors/request.js'
import { getReceipt } from './getReceipt.js'
import { wrapFetch } from './wrapFetch.js'

// These tests drive the client against hand-written x402 servers on loopback: they check the
// client's side of the wire (headers, retries, bodies, budgets, receipts). Payment on a chain,
// against real paywalls, is tested in `test/e2e` and `test/interop`.

const payTo = '0x1111111111111111111111111111111111111111'
const requirement: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo,
  maxTimeoutSeconds: 60,
  // Unknown keys must be echoed unchanged: servers match `accepted` by deep equality.
  extra: { name: 'USDC', version: '2', vendor: { tier: 'gold' } },
}
const transaction = `0x${'ab'.repeat(32)}`
/** Atomic units of the requirement's asset: the only form a bigint limit takes. */
const usdcUnits = (amount: bigint) => ({
  amount,
  asset: { network: requirement.network, address: requirement.asset },
})

function signer() {
  const inner = privateKeyToAccount(generatePrivateKey())
  const counter = { signatures: 0 }
  const account = toAccount({
    address: inner.address,
    signMessage: (parameters) => inner.signMessage(parameters),
    signTransaction: (transaction) => inner.signTransaction(transaction),
    signTypedData: async (typedData) => {
      counter.signatures++
      return inner.signTypedData(typedData as Parameters<typeof inner.signTypedData>[0])
    },
  })
  return { account, signatures: () => counter.signatures }
}

type Seen = {
  method: string
  url: string
  body: string
  payment: PaymentPayload | PaymentPayloadV1 | undefined
  /** The payment header as received. */
  header: string | null
}
type PaidHandler = (
  payment: PaymentPayload | PaymentPayloadV1,
  seen: Seen,
) => Response | Promise<Response>

function challengeV2(
  accepts: PaymentRequirements[] = [requirement],
  url = 'http://x/',
): PaymentRequired {
  return {
    x402Version: 2,
    error: 'Payment required',
    resource: { url },
    accepts: accepts as [PaymentRequirements, ...PaymentRequirements[]],
  }
}

function settled(payment: PaymentPayload | PaymentPayloadV1, body = 'paid content', status = 200) {
  const payer = (payment.payload as { authorization: { from: string } }).authorization.from
  return new Response(body, {
    status,
    headers: {
      'PAYMENT-RESPONSE': encodePaymentResponseHeader({
        success: true,
        transaction,
        network: 'eip155:84532',
        payer,
      }),
    },
  })
}

const servers: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A v2 (or v1) paywall: answers every unpaid request with the challenge, paid ones with `paid`. */
async function paywall({
  version = 2,
  accepts = [requirement],
  paid = (payment) => settled(payment),
  unpaid,
}: {
  version?: 1 | 2
  accepts?: PaymentRequirements[]
  paid?: PaidHandler
  unpaid?: (seen: Seen) => Response | undefined
} = {}) {
  const seen: Seen[] = []
  const server = await listen({
    async fetch(request) {
      const body = await request.text()
      const signature = request.headers.get('payment-signature')
      const xPayment = request.headers.get('x-payment')
      let payment: PaymentPayload | PaymentPayloadV1 | undefined
      try {
        payment = signature
          ? decodePaymentSignatureHeader(signature)
          : xPayment
            ? decodeXPaymentHeader(xPayment)
            : undefined
      } catch {
        return new Response('malformed payment', { status: 400 })
      }
      const entry = {
        method: request.method,
        url: request.url,
        body,
        payment,
        header: signature ?? xPayment,
      }
      seen.push(entry)
      if (payment) return paid(payment, entry)
      const custom = unpaid?.(entry)
      if (custom) return custom
      if (version === 1) {
        const v1: PaymentRequiredV1 = {
          x402Version: 1,
          error: 'X-PAYMENT header is required',
          accepts: accepts.map((r) => ({
            scheme: r.scheme,
            network: 'base-sepolia',
            maxAmountRequired: r.amount,
            resource: request.url,
            description: 'a report',
            mimeType: 'text/plain',
            payTo: r.payTo,
            maxTimeoutSeconds: r.maxTimeoutSeconds,
            asset: r.asset,
            extra: r.extra ?? {},
          })),
        }
        return Response.json(v1, { status: 402 })
      }
      return new Response('{}', {
        status: 402,
        headers: {
          'PAYMENT-REQUIRED': encodePaymentRequiredHeader(challengeV2(accepts, request.url)),
        },
      })
    },
  })
  servers.push(server)
  return { url: server.url, seen }
}

describe('unpaid answers', () => {
  test('a response other than 402 is returned as it is, after one request', async () => {
    const server = await listen({ fetch: () => new Response('free', { status: 201 }) })
    servers.push(server)
    const { account, signatures } = signer()
    const pay = wrapFetch(undefined, { account })
    const response = await pay(`${server.url}/free`)
    expect(response.status).toBe(201)
    expect(await response.text()).toBe('free')
    expect(getReceipt(response)).toBeUndefined()
    expect(signatures()).toBe(0)
  })

  test('a 402 that is not an x402 challenge is returned unread', async () => {
    const server = await listen({ fetch: () => new Response('pay at the desk', { status: 402 }) })
    servers.push(server)
    const { account } = signer()
    const response = await wrapFetch({ account })(server.url)
    expect(response.status).toBe(402)
    expect(await response.text()).toBe('pay at the desk')
  })

  test('a malformed challenge header is a typed error, nothing signed', async () => {
    const server = await listen({
      fetch: () =>
        new Response('{}', { status: 402, headers: { 'PAYMENT-REQUIRED': 'not base64!' } }),
    })
    servers.push(server)
    const { account, signatures } = signer()
    await expect(wrapFetch({ account })(server.url)).rejects.toBeInstanceOf(InvalidChallengeError)
    expect(signatures()).toBe(0)
  })
})

describe('v2', () => {
  test('pays once, echoes the requirement verbatim, returns the paid response and its receipt', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    const log = createMemoryReceiptLog()
    const received: Receipt[] = []
    const pay = wrapFetch(globalThis.fetch, {
      account,
      receipts: log,
      onReceipt: (receipt) => {
        received.push(receipt)
      },
    })
    const response = await pay(`${server.url}/report?x=1`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('paid content')
    expect(signatures()).toBe(1)
    expect(server.seen).toHaveLength(2)
    const payment = server.seen[1]!.payment as PaymentPayload
    expect(payment.x402Version).toBe(2)
    expect(payment.accepted).toEqual(requirement)
    expect(payment.resource).toEqual({ url: `${server.url}/report?x=1` })

    const receipt = getReceipt(response)!
    expect(receipt).toMatchObject({
      url: `${server.url}/report?x=1`,
      method: 'GET',
      x402Version: 2,
      status: 'settled',
      amount: 10000n,
      asset: requirement.asset,
      network: 'eip155:84532',
      payTo,
      payer: account.address,
      transaction,
      preemptive: false,
      responseStatus: 200,
    })
    expect(receipt.signed).toEqual(payment)
    expect(receipt.accepted).toEqual(requirement)
    expect(received).toEqual([receipt])
    expect(await log.list()).toEqual([receipt])
  })

  test('chooses the cheapest option the policy accepts', async () => {
    const cheap = {
      ...requirement,
      amount: '4000',
      payTo: '0x2222222222222222222222222222222222222222',
    }
    const server = await paywall({ accepts: [requirement, cheap] })
    const { account } = signer()
    const response = await wrapFetch({ account })(server.url)
    expect((server.seen[1]!.payment as PaymentPayload).accepted).toEqual(cheap)
    expect(getReceipt(response)?.amount).toBe(4000n)
  })

  test('a policy refusal signs nothing and sends no payment', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    const pay = wrapFetch({ account, policy: { maxPerRequest: '$0.001' } })
    const error = await pay(server.url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PolicyRefusedError)
    expect(error).toMatchObject({ guard: 'maxPerRequest', code: 'TOLLGATE_POLICY_MAX_PER_REQUEST' })
    expect(signatures()).toBe(0)
    expect(server.seen.map((s) => s.payment)).toEqual([undefined])
  })

  test('a 402 after payment is returned, never paid again, and without a chain to prove it unspent stays indeterminate', async () => {
    const server = await paywall({
      paid: () =>
        new Response('{}', {
          status: 402,
          headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(challengeV2()) },
        }),
    })
    const { account, signatures } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(10000n) }] })
    const pay = wrapFetch({ account, policy, reconcile: false })
    const response = await pay(server.url)
    expect(response.status).toBe(402)
    expect(signatures()).toBe(1)
    expect(server.seen.filter((s) => s.payment)).toHaveLength(1)
    // The server's 402 alone does not prove the authorization unspent: the money stays held.
    expect(getReceipt(response)).toMatchObject({
      status: 'indeterminate',
      disputed: 'settlement-missing',
    })
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10000n })
  })

  test('a paid answer without a settlement header is indeterminate and keeps its reservation', async () => {
    const server = await paywall({ paid: () => new Response('maybe paid') })
    const { account } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(15000n) }] })
    const pay = wrapFetch({ account, policy })
    const response = await pay(server.url)
    expect(getReceipt(response)).toMatchObject({
      status: 'indeterminate',
      disputed: 'settlement-missing',
      settlement: undefined,
    })
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10000n })
    // The reservation still counts: a second payment does not fit.
    await expect(pay(server.url)).rejects.toBeInstanceOf(BudgetExceededError)
  })

  test('a settlement_pending answer is indeterminate and undisputed; a failed one is disputed', async () => {
    const answers = ['settlement_pending', 'invalid_exact_evm_nonce_already_used']
    const server = await paywall({
      paid: () =>
        new Response('{}', {
          status: 402,
          headers: {
            'PAYMENT-RESPONSE': encodePaymentResponseHeader({
              success: false,
              errorReason: answers.shift()!,
              transaction: '',
              network: 'eip155:84532',
            }),
          },
        }),
    })
    const { account } = signer()
    const pay = wrapFetch({ account, reconcile: false })
    expect(getReceipt(await pay(server.url))).toMatchObject({
      status: 'indeterminate',
      disputed: undefined,
    })
    // Failed on the server's word only: without a chain to check, it may still have been spent.
    expect(getReceipt(await pay(server.url))).toMatchObject({
      status: 'indeterminate',
      disputed: 'settlement-failed',
    })
  })

  test('a 402 from a plain-http host that is not loopback is refused before signing; allowHttp pays it', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    // The paywall as a remote host over plain http: a fetch routes api.example.com to it, and the
    // responses it makes carry no URL, so the agent sees the host it asked for.
    const remote = (async (input: string, init: RequestInit) => {
      const response = await globalThis.fetch(
        input.replace('http://api.example.com', server.url),
        init,
      )
      return new Response(response.body, { status: response.status, headers: response.headers })
    }) as typeof globalThis.fetch
    const error = await wrapFetch(remote, { account })('http://api.example.com/report').catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(PolicyRefusedError)
    expect(error).toMatchObject({
      guard: 'https',
      code: 'TOLLGATE_POLICY_HTTPS',
      option: 'allowHttp',
      docsPath: '/agents/guardrails#https-only',
    })
    expect(signatures()).toBe(0)
    expect(server.seen.map((s) => s.payment)).toEqual([undefined])
    // The challenge names the loopback URL the paywall saw: the resource check is off here.
    const pay = wrapFetch(remote, { account, policy: { allowHttp: true, resourceBinding: 'off' } })
    expect((await pay('http://api.example.com/report')).status).toBe(200)
    expect(signatures()).toBe(1)
  })

  test('a request that already carries a payment header is passed through', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    const response = await wrapFetch({ account })(server.url, {
      headers: { 'PAYMENT-SIGNATURE': 'c29tZXRoaW5n' },
    })
    expect(response.status).toBe(400)
    expect(signatures()).toBe(0)
    expect(server.seen).toHaveLength(0)
  })
})

describe('bodies', () => {
  const echo: PaidHandler = (payment, seen) => settled(payment, `${seen.method} ${seen.body}`)

  test('a JSON POST is sent again, whole, with the payment', async () => {
    const server = await paywall({ paid: echo })
    const { account } = signer()
    const body = JSON.stringify({ query: 'weather', days: [1, 2, 3] })
    const response = await wrapFetch({ account })(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(await response.text()).toBe(`POST ${body}`)
    expect(server.seen.map((s) => s.body)).toEqual([body, body])
  })

  test('a ReadableStream body is buffered and replayed', async () => {
    const server = await paywall({ paid: echo })
    const { account } = signer()
    const parts = ['chunk-1;', 'chunk-2;', 'chunk-3']
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const part = parts.shift()
        if (part === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(part))
      },
    })
    const response = await wrapFetch({ account })(server.url, {
      method: 'PUT',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(await response.text()).toBe('PUT chunk-1;chunk-2;chunk-3')
  })

  test('a Request with a body, passed as the input, is replayed with its method and headers', async () => {
    const server = await paywall({
      paid: (payment, seen) => settled(payment, `${seen.method} ${seen.body}`),
    })
    const { account } = signer()
    const request = new Request(server.url, {
      method: 'PATCH',
      headers: { 'x-trace': 't1' },
      body: 'from a Request',
    })
    const response = await wrapFetch(globalThis.fetch, { account })(request)
    expect(await response.text()).toBe('PATCH from a Request')
    expect(server.seen).toHaveLength(2)
  })

  test('a stream above the buffer limit is streamed; its 402 is a typed error and nothing is signed', async () => {
    const server = await paywall({ paid: echo })
    const { account, signatures } = signer()
    const big = new Uint8Array(64 * 1024).fill(65)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big)
        controller.enqueue(big)
        controller.close()
      },
    })
    const pay = wrapFetch({ account, maxBufferedBodyBytes: 100_000 })
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit
    const error = await pay(server.url, init).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BodyNotReplayableError)
    expect(signatures()).toBe(0)
    // The server received the whole body once, unpaid.
    expect(server.seen.map((s) => s.body.length)).toEqual([128 * 1024])
  })
})

describe('v1', () => {
  test('reads a JSON 402, pays with X-PAYMENT and reads X-PAYMENT-RESPONSE', async () => {
    const server = await paywall({
      version: 1,
      paid: () =>
        new Response('v1 content', {
          headers: {
            'X-PAYMENT-RESPONSE': encodePaymentResponseHeader({
              success: true,
              transaction,
              network: 'base-sepolia',
            }),
          },
        }),
    })
    const { account } = signer()
    const response = await wrapFetch({ account })(server.url)
    expect(await response.text()).toBe('v1 content')
    const payment = server.seen[1]!.payment as PaymentPayloadV1
    expect(payment).toMatchObject({ x402Version: 1, scheme: 'exact', network: 'base-sepolia' })
    expect(getReceipt(response)).toMatchObject({
      x402Version: 1,
      status: 'settled',
      network: 'eip155:84532',
      transaction,
      amount: 10000n,
    })
  })
})

describe('authorization lifetime', () => {
  test.each([1, 2] as const)(
    'v%i: validBefore is capped, and a v2 accepted still echoes the server',
    async (version) => {
      const long = { ...requirement, maxTimeoutSeconds: 86_400 }
      const server = await paywall({ version, accepts: [long] })
      const { account } = signer()
      const start = Math.floor(Date.now() / 1000)
      await wrapFetch({ account, policy: { maxAuthorizationSeconds: 120 } })(server.url)
      const payment = server.seen[1]!.payment!
      const { validBefore } = (payment.payload as { authorization: { validBefore: string } })
        .authorization
      expect(Number(validBefore) - start).toBeGreaterThanOrEqual(120)
      expect(Number(validBefore) - start).toBeLessThanOrEqual(121)
      if (payment.x402Version === 2) expect(payment.accepted).toEqual(long)
    },
  )
})

describe('pre-emptive payment', () => {
  test('a repeat call pays on its first request until the requirement expires', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    let now = 1_000_000
    const pay = wrapFetch({ account, preemptive: true, policy: { now: () => now } })
    await pay(`${server.url}/report?a=1`)
    expect(server.seen).toHaveLength(2)
    const second = await pay(`${server.url}/report?a=2`)
    expect(second.status).toBe(200)
    expect(getReceipt(second)).toMatchObject({ preemptive: true, status: 'settled' })
    expect(server.seen).toHaveLength(3)
    expect(server.seen[2]!.payment).toBeDefined()
    // Another route, or another method, is not pre-paid.
    await pay(`${server.url}/other`)
    expect(server.seen).toHaveLength(5)
    // maxTimeoutSeconds (60 s) later the cached requirement is gone.
    now += 60_000
    await pay(`${server.url}/report`)
    expect(server.seen).toHaveLength(7)
    expect(server.seen[5]!.payment).toBeUndefined()
    expect(signatures()).toBe(4)
  })

  test('a pre-emptive payment answered with a 402 and not proven unspent is held, not replaced', async () => {
    let refuse = false
    const server = await paywall({
      paid: (payment, seen) =>
        refuse
          ? new Response('{}', {
              status: 402,
              headers: {
                'PAYMENT-REQUIRED': encodePaymentRequiredHeader(
                  challengeV2([{ ...requirement, amount: '20000' }], seen.url),
                ),
              },
            })
          : settled(payment),
    })
    const { account, signatures } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(30000n) }] })
    const receipts: Receipt[] = []
    const pay = wrapFetch({
      account,
      policy,
      preemptive: true,
      reconcile: false,
      onReceipt: (r) => void receipts.push(r),
    })
    await pay(server.url)
    refuse = true
    const response = await pay(server.url)
    // Nothing proves the refused pre-emptive payment unspent (no chain configured): it is not
    // replaced by a second one, and its money stays held. With a chain it is replaced once:
    // test/e2e/fetch-pays-tollgate.test.ts.
    expect(response.status).toBe(402)
    expect(receipts.map((r) => [r.preemptive, r.status, r.amount])).toEqual([
      [false, 'settled', 10000n],
      [true, 'indeterminate', 10000n],
    ])
    expect(signatures()).toBe(2)
    expect(policy.usage()[0]).toMatchObject({ committed: 10000n, reserved: 10000n })
  })
})

describe('recording and failures', () => {
  test('a throwing onReceipt or receipt log never costs the caller the paid response', async () => {
    const server = await paywall()
    const { account } = signer()
    const published: unknown[] = []
    const onError = (message: unknown) => published.push(message)
    diagnostics.subscribe(diagnosticChannels.error, onError)
    try {
      const pay = wrapFetch({
        account,
        receipts: {
          append: async () => {
            throw new Error('disk full')
          },
          list: async () => [],
        },
        onReceipt: () => {
          throw new Error('hook bug')
        },
      })
      const response = await pay(server.url)
      expect(await response.text()).toBe('paid content')
      expect(getReceipt(response)?.status).toBe('settled')
      expect(published.map((m) => (m as { stage: string }).stage)).toEqual([
        'receipt-log',
        'on-receipt',
      ])
    } finally {
      diagnostics.unsubscribe(diagnosticChannels.error, onError)
    }
  })

  test('a refused connection for the paid retry proves nothing was sent: refused, released', async () => {
    const server = await paywall()
    const { account } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(10000n) }] })
    const receipts: Receipt[] = []
    let calls = 0
    // The server goes away between the 402 and the paid retry.
    const closing = (async (input: string, init: RequestInit) => {
      if (calls++ === 1) await servers.pop()!.close()
      return globalThis.fetch(input, init)
    }) as typeof globalThis.fetch
    const pay = wrapFetch(closing, { account, policy, onReceipt: (r) => void receipts.push(r) })
    await expect(pay(server.url)).rejects.toThrow('fetch failed')
    expect(receipts.map((r) => [r.status, r.responseStatus])).toEqual([['refused', undefined]])
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 0n })
  })

  test('a connection dropped after the payment was sent is indeterminate and stays reserved', async () => {
    const server = await listen((req, res) => {
      if (req.headers['payment-signature']) return void req.socket.destroy()
      res.writeHead(402, {
        'PAYMENT-REQUIRED': encodePaymentRequiredHeader(
          challengeV2([requirement], `http://${req.headers.host}${req.url}`),
        ),
      })
      res.end('{}')
    })
    servers.push(server)
    const { account } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(10000n) }] })
    const receipts: Receipt[] = []
    const pay = wrapFetch({ account, policy, onReceipt: (r) => void receipts.push(r) })
    await expect(pay(server.url)).rejects.toThrow()
    expect(receipts.map((r) => [r.status, r.disputed])).toEqual([['indeterminate', 'no-response']])
    expect(policy.usage()[0]).toMatchObject({ reserved: 10000n })
  })
})

describe('purchases', () => {
  test('retries of one purchase re-send the same header and reserve once', async () => {
    let answer = 500
    const server = await paywall({
      paid: (payment) =>
        answer === 200 ? settled(payment) : new Response('oops', { status: 500 }),
    })
    const { account, signatures } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(30000n) }] })
    const log = createMemoryReceiptLog()
    const pay = wrapFetch({ account, policy, receipts: log, reconcile: false })
    const init = { headers: { 'Idempotency-Key': 'order-0001-retried' } }
    for (let i = 0; i < 3; i++) expect((await pay(server.url, init)).status).toBe(500)
    const headers = server.seen.flatMap((s) => (s.header ? [s.header] : []))
    expect(headers).toHaveLength(3)
    expect(new Set(headers).size).toBe(1)
    expect(signatures()).toBe(1)
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10000n })
    expect(await pay.purchases.get('order-0001-retried')).toMatchObject({
      status: 'indeterminate',
      disputed: 'settlement-missing',
    })

    // A restart: a new fetch and policy on the same log. It holds the money again, signs nothing,
    // and re-sends the same authorization, which now settles.
    answer = 200
    const restartedPolicy = createPolicy({ budgets: [{ limit: usdcUnits(30000n) }] })
    const restarted = wrapFetch({
      account,
      policy: restartedPolicy,
      receipts: log,
      reconcile: false,
    })
    const response = await restarted(server.url, init)
    expect(await response.text()).toBe('paid content')
    expect(getReceipt(response)).toMatchObject({
      status: 'settled',
      purchase: 'order-0001-retried',
    })
    expect(server.seen.at(-1)?.header).toBe(headers[0])
    expect(signatures()).toBe(1)
    expect(restartedPolicy.usage()[0]).toMatchObject({ committed: 10000n, reserved: 0n })
  })

  test('a settled purchase is never paid again, whatever the server answers its retry', async () => {
    let paidOnce = false
    const server = await paywall({
      paid: (payment) => {
        if (paidOnce)
          return new Response('{}', {
            status: 402,
            headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(challengeV2()) },
          })
        paidOnce = true
        return settled(payment)
      },
    })
    const { account, signatures } = signer()
    const pay = wrapFetch({ account })
    const first = await pay(server.url, { purchase: { id: 'settled-purchase-1' } })
    expect(getReceipt(first)?.status).toBe('settled')
    const retry = await pay(server.url, { purchase: { id: 'settled-purchase-1' } })
    expect(retry.status).toBe(402)
    expect(getReceipt(retry)).toMatchObject({ status: 'settled', disputed: 'not-delivered' })
    expect(signatures()).toBe(1)
    // The retry skipped the 402 round trip: it went straight out with the same payment.
    expect(server.seen.map((s) => s.header === null)).toEqual([true, false, false])
  })

  test('an authorization that never left is replaced on the next try (never-sent)', async () => {
    const server = await paywall()
    const { account, signatures } = signer()
    // A port nothing listens on: the first paid request is refused a connection.
    const gone = await listen({ fetch: () => new Response('') })
    await gone.close()
    let calls = 0
    const flaky = (async (input: string, init: RequestInit) => {
      if (calls++ === 1) return globalThis.fetch(gone.url, init)
      return globalThis.fetch(input, init)
    }) as typeof globalThis.fetch
    const pay = wrapFetch(flaky, { account })
    await expect(pay(server.url, { purchase: { id: 'never-sent-0001' } })).rejects.toThrow()
    expect(await pay.purchases.get('never-sent-0001')).toMatchObject({ status: 'refused' })
    const response = await pay(server.url, { purchase: { id: 'never-sent-0001' } })
    expect(getReceipt(response)).toMatchObject({ status: 'settled', resigned: 'never-sent' })
    expect(signatures()).toBe(2)
  })
})

describe('purchases, when a retry cannot connect', () => {
  test('a re-sent authorization that never left proves nothing about the first send: the purchase stays indeterminate and is re-sent, never re-signed', async () => {
    // The first paid request reaches the server and its connection drops: the server holds the
    // signed authorization. The retry finds the server down; the one after pays.
    let paidRequests = 0
    const server = await listen((req, res) => {
      const header = req.headers['payment-signature']
      if (typeof header === 'string') {
        if (paidRequests++ === 0) return void req.socket.destroy()
        const payment = decodePaymentSignatureHeader(header)
        const payer = (payment.payload as { authorization: { from: string } }).authorization.from
        res.writeHead(200, {
          'PAYMENT-RESPONSE': encodePaymentResponseHeader({
            success: true,
            transaction,
            network: 'eip155:84532',
            payer,
          }),
        })
        return void res.end('paid content')
      }
      res.writeHead(402, {
        'PAYMENT-REQUIRED': encodePaymentRequiredHeader(
          challengeV2([requirement], `http://${req.headers.host}${req.url}`),
        ),
      })
      res.end('{}')
    })
    servers.push(server)
    const gone = await listen({ fetch: () => new Response('') })
    await gone.close()
    let down = false
    const flaky = (async (input: string, init: RequestInit) =>
      globalThis.fetch(down ? input.replace(server.url, gone.url) : input, init)) as typeof fetch
    const { account, signatures } = signer()
    const policy = createPolicy({ budgets: [{ limit: usdcUnits(30000n) }] })
    const pay = wrapFetch(flaky, { account, policy, reconcile: false })
    const purchase = { id: 'resend-refused-0001' }

    await expect(pay(server.url, { purchase })).rejects.toThrow()
    expect(await pay.purchases.get(purchase.id)).toMatchObject({
      status: 'indeterminate',
      disputed: 'no-response',
    })
    down = true
    await expect(pay(server.url, { purchase })).rejects.toThrow()
    // Only this send was refused a connection: the first one reached the server.
    expect(await pay.purchases.get(purchase.id)).toMatchObject({
      status: 'indeterminate',
      disputed: 'no-response',
    })
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10000n })
    down = false
    const response = await pay(server.url, { purchase })
    expect(await response.text()).toBe('paid content')
    expect(getReceipt(response)).toMatchObject({ status: 'settled' })
    expect(getReceipt(response)?.resigned).toBeUndefined()
    expect(signatures()).toBe(1)
    expect(policy.usage()[0]).toMatchObject({ committed: 10000n, reserved: 0n })
  })
})
