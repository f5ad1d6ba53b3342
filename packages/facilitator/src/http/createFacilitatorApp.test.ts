import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { reasons, supportedResponseSchema } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { useDevnet } from '@tollgate/test'
import { HTTPFacilitatorClient } from '@x402/core/http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  balanceOf,
  devnetAssets,
  devnetChain,
  pay,
  randomAddress,
  requirementsFor,
} from '../../test/fixtures.js'
import { createFacilitator, type Facilitator } from '../createFacilitator.js'
import { FacilitatorRequestError } from '../errors.js'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger } from '../ledger/types.js'
import { type ServeFacilitatorReturnType, serveFacilitator } from './serveFacilitator.js'

const devnet = useDevnet({ accounts: 4, chainId: 84532 })

let facilitator: Facilitator
let ledger: Ledger
let server: ServeFacilitatorReturnType

beforeAll(async () => {
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [await devnetChain(devnet)],
    signers: [devnet.accounts[3]!.account],
    mode: 'confirmed',
    http: {
      maxBodyBytes: 8_192,
      apiKeys: ['key-one', { key: 'key-slow', rateLimit: { requestsPerSecond: 1, burst: 2 } }],
    },
  })
  server = await serveFacilitator(facilitator, { port: 0 })
})

afterAll(async () => {
  await server?.close()
  await facilitator?.close()
  await ledger?.close()
})

const auth = { authorization: 'Bearer key-one' }

describe('the HTTP service', () => {
  test('verify and settle through the reference HTTPFacilitatorClient', async () => {
    const client = new HTTPFacilitatorClient({
      url: server.url,
      createAuthHeaders: async () => ({ verify: auth, settle: auth, supported: auth }),
    })
    const supported = await client.getSupported()
    // Each kind lists the /settle modes honoured; an in-memory ledger cannot promise `queued`.
    const extra = { settlementModes: ['confirmed', 'submitted'] }
    expect(supported.kinds).toContainEqual({
      x402Version: 2,
      scheme: 'exact',
      network: devnet.network,
      extra,
    })
    expect(supported.kinds).toContainEqual({
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
      extra,
    })
    expect(supported.signers['eip155:*']).toEqual([devnet.accounts[3]!.address])

    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 2_000n })
    const payload = await pay(devnet.accounts[0]!.account, requirements)
    const verified = await client.verify(payload as never, requirements as never)
    expect(verified).toMatchObject({ isValid: true, payer: devnet.accounts[0]!.address })
    const settled = await client.settle(payload as never, requirements as never)
    expect(settled).toMatchObject({ success: true, network: devnet.network })
    // A retried settle is the same settlement.
    expect(await client.settle(payload as never, requirements as never)).toMatchObject({
      success: true,
      transaction: settled.transaction,
    })
    expect(await balanceOf(devnet, payTo)).toBe(2_000n)
  })

  test("verify and settle through core's createHttpFacilitatorClient, v1 and v2", async () => {
    const client = createHttpFacilitatorClient({
      url: server.url,
      headers: { 'x-api-key': 'key-one' },
    })
    const { kinds } = supportedResponseSchema.parse(await client.supported())
    expect(kinds.map((kind) => `v${kind.x402Version} ${kind.scheme}`).sort()).toEqual([
      'v1 exact',
      'v2 exact',
      'v2 upto',
    ])
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 3n })
    const payload = await pay(devnet.accounts[1]!.account, requirements)
    expect(
      (await client.verify({ paymentPayload: payload, paymentRequirements: requirements })).isValid,
    ).toBe(true)
    expect(
      (await client.settle({ paymentPayload: payload, paymentRequirements: requirements })).success,
    ).toBe(true)

    // The same payment in x402 v1 terms (network name, maxAmountRequired).
    const v1Requirements = {
      scheme: 'exact',
      network: 'base-sepolia',
      maxAmountRequired: '3',
      resource: 'http://127.0.0.1/resource',
      description: '',
      mimeType: 'application/json',
      payTo,
      maxTimeoutSeconds: 300,
      asset: devnet.usdc.address,
      extra: { name: devnet.usdc.name, version: devnet.usdc.version },
    }
    const v2 = await pay(devnet.accounts[1]!.account, requirements)
    const v1Payload = {
      x402Version: 1 as const,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: v2.payload,
    }
    const v1Body = { paymentPayload: v1Payload, paymentRequirements: v1Requirements } as never
    expect(await client.verify(v1Body)).toMatchObject({ isValid: true })
    expect(await client.settle(v1Body)).toMatchObject({ success: true, network: 'base-sepolia' })
    expect(await balanceOf(devnet, payTo)).toBe(6n)
    const v1Supported = await (await fetch(`${server.url}/supported?x402Version=1`)).json()
    expect(v1Supported).toEqual({
      kinds: [
        {
          x402Version: 1,
          scheme: 'exact',
          network: 'base-sepolia',
          extra: { settlementModes: ['confirmed', 'submitted'] },
        },
      ],
    })
  })

  test('errors are JSON with reason codes: auth, limits, bad bodies, unknown routes', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = auth) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
    const noKey = await post('/verify', '{}', {})
    expect(noKey.status).toBe(401)
    expect(await noKey.json()).toMatchObject({ error: 'unauthorized' })
    expect((await post('/verify', '{}', { 'x-api-key': 'nope' })).status).toBe(401)

    const malformed = await post('/verify', '{not json')
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({
      error: 'invalid_json',
      isValid: false,
      invalidReason: reasons.invalidPayload,
    })
    const wrongShape = await post('/settle', JSON.stringify({ paymentPayload: {} }))
    expect(wrongShape.status).toBe(400)
    expect(await wrongShape.json()).toMatchObject({ error: 'invalid_request', success: false })

    const huge = await post('/verify', JSON.stringify({ padding: 'x'.repeat(10_000) }))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ error: 'body_too_large' })

    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await post('/verify', '{}', { authorization: 'Bearer key-slow' })).status)
    expect(statuses.slice(0, 2)).toEqual([400, 400])
    expect(statuses.at(-1)).toBe(429)

    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    const wrongMethod = await fetch(`${server.url}/verify`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
  })

  test('health and Prometheus metrics', async () => {
    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({
      status: 'ok',
      ledger: 'sqlite',
      chains: [{ chainId: devnet.chainId }],
    })
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toContain('# TYPE tollgate_facilitator_http_requests_total counter')
    expect(metrics).toMatch(/tollgate_facilitator_ledger_rows\{state="confirmed"\} \d+/)
    expect(metrics).toMatch(/tollgate_facilitator_items_confirmed_total\{chain="84532"\} [1-9]/)
    expect(metrics).toContain(
      'tollgate_facilitator_http_request_duration_seconds_bucket{route="settle",le="0.1"}',
    )
    // The settlements above sent a transaction and read its receipt from the devnet's one URL.
    for (const method of ['eth_sendRawTransaction', 'eth_getTransactionReceipt'])
      expect(metrics).toMatch(
        new RegExp(
          `tollgate_facilitator_rpc_duration_seconds_count\\{chain="84532",method="${method}",endpoint="1",outcome="ok"\\} [1-9]`,
        ),
      )
    expect(metrics).not.toContain(devnet.rpcUrl)
  })
})

describe('GET /supported: the settlement modes honoured', () => {
  test('queued only on a durable ledger that checks balances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-supported-'))
    const onFile = await createSqliteLedger(join(dir, 'ledger.db'))
    const make = (ledger: Ledger, checkBalance?: boolean) =>
      createFacilitator({
        ledger,
        chains: [
          { chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl], assets: devnetAssets(devnet) },
        ],
        signers: [devnet.accounts[3]!.account],
        ...(checkBalance === undefined ? {} : { checkBalance }),
      })
    const modes = async (app: Facilitator) => {
      const answer = await app.fetch(new Request('http://facilitator/supported'))
      const { kinds } = supportedResponseSchema.parse(await answer.json())
      return kinds.map((kind) => kind.extra?.settlementModes)
    }
    try {
      // One entry per kind: exact v1, exact v2, upto v2.
      expect(await modes(make(onFile))).toEqual([
        ['confirmed', 'submitted', 'queued'],
        ['confirmed', 'submitted', 'queued'],
        ['confirmed', 'submitted', 'queued'],
      ])
      expect(await modes(make(onFile, false))).toEqual([
        ['confirmed', 'submitted'],
        ['confirmed', 'submitted'],
        ['confirmed', 'submitted'],
      ])
      expect((await modes(facilitator))[0]).toEqual(['confirmed', 'submitted'])
    } finally {
      await onFile.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("core's client reads the status endpoint", () => {
  test('status() by key and by payment id parses our answers', async () => {
    const client = createHttpFacilitatorClient({ url: server.url, headers: auth })
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 21n })
    const paymentId = `status_${crypto.randomUUID().replace(/-/g, '')}`
    const payer = devnet.accounts[2]!
    const payload = await pay(payer.account, requirements, { paymentId })
    const settled = await client.settle({
      paymentPayload: payload,
      paymentRequirements: requirements,
    })
    expect(settled.success).toBe(true)
    const nonce = (payload.payload.authorization as { nonce: string }).nonce
    const byKey = await client.status({
      network: devnet.network,
      asset: devnet.usdc.address,
      payer: payer.address,
      nonce,
    })
    expect(byKey).toMatchObject({
      chainId: devnet.chainId,
      state: 'confirmed',
      transaction: settled.transaction,
      value: '21',
      paymentId,
    })
    expect(await client.status({ paymentId })).toEqual([byKey])
    expect(
      await client.status({
        network: devnet.chainId,
        asset: devnet.usdc.address,
        payer: payer.address,
        nonce: `0x${'00'.repeat(32)}`,
      }),
    ).toBeUndefined()
  })
})

describe('a request that fails inside the facilitator', () => {
  test('answers 503 and reaches onError as FacilitatorRequestError, without the RPC key', async () => {
    const errors: unknown[] = []
    const own = await createSqliteLedger(':memory:')
    // The only RPC is down, and its URL carries a key, as hosted RPC URLs do.
    const broken = createFacilitator({
      ledger: own,
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: ['http://127.0.0.1:9/v2/sk_live_do_not_log'],
          assets: devnetAssets(devnet),
          rpcTimeoutMs: 500,
        },
      ],
      signers: [devnet.accounts[3]!.account],
      onError: (error) => errors.push(error),
    })
    const requirements = requirementsFor(devnet, { payTo: randomAddress(), amount: 1n })
    const body = JSON.stringify({
      x402Version: 2,
      paymentPayload: await pay(devnet.accounts[0]!.account, requirements),
      paymentRequirements: requirements,
    })
    const post = (path: string) =>
      broken.fetch(
        new Request(`http://facilitator${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }),
      )
    try {
      const verify = await post('/verify')
      expect(verify.status).toBe(503)
      expect(await verify.json()).toMatchObject({ isValid: false, error: 'unavailable' })
      const settle = await post('/settle')
      expect(settle.status).toBe(503)
      expect(await settle.json()).toMatchObject({ success: false, error: 'unavailable' })
      const reported = errors.filter((e) => e instanceof FacilitatorRequestError)
      expect(reported.map((e) => [e.route, e.status])).toEqual([
        ['verify', 503],
        ['settle', 503],
      ])
      expect(reported[0]!.cause).toBeDefined()
      // The whole chain, as a logger would print it, names the RPC by its origin only.
      const printed = errors.map((e) => inspect(e, { depth: 20 })).join('\n')
      expect(printed).toContain('http://127.0.0.1:9/...')
      expect(printed).not.toContain('sk_live_do_not_log')
    } finally {
      await broken.close()
      await own.close()
    }
  })
})
