// What the provider hears about: a dead facilitator or a settler without gas is warned about on
// the console by default, `logger: false` silences it, and nothing logged carries a secret
// (facilitator credentials, API keys, the payment's signature or header).

import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import {
  createHttpFacilitatorClient,
  type FacilitatorClient,
} from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import type { PaywallLogger } from '@tollgate/paywall'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterEach, beforeEach, describe, expect, type MockInstance, test, vi } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 3 })

let warn: MockInstance<typeof console.warn>
let error: MockInstance<typeof console.error>
const servers: { close(): Promise<void> }[] = []
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  error = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(async () => {
  warn.mockRestore()
  error.mockRestore()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** A paywalled `GET /r`; pays it once and returns the status and the header that was sent. */
async function payOnce(facilitator: FacilitatorClient, logger?: PaywallLogger | false) {
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [devnet.usdc],
      routes: {
        'GET /r': { price: '$0.01', payTo: devnet.accounts[1]!.address, network: devnet.network },
      },
      ...(logger === undefined ? {} : { logger }),
    }),
  )
  app.get('/r', (_req, res) => res.send('paid content'))
  const server = await listen(app)
  servers.push(server)
  const challenge = await fetch(`${server.url}/r`)
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
    paymentRequired: decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!),
  })
  const header = encodePaymentSignatureHeader(payload)
  const response = await fetch(`${server.url}/r`, { headers: { 'PAYMENT-SIGNATURE': header } })
  const signature = (payload.payload as { signature: string }).signature
  return { status: response.status, header, signature }
}

/** Everything written to the console, as text. */
const written = (spy: MockInstance<(...args: unknown[]) => void>) =>
  spy.mock.calls.map((args) => args.map((arg) => JSON.stringify(arg)).join(' ')).join('\n')

describe('the default logger', () => {
  test('a dead facilitator is warned about, without its API key, credentials or the payment', async () => {
    const keyed = createHttpFacilitatorClient({
      url: 'http://127.0.0.1:9/x402?apiKey=KEY_IN_QUERY_123',
      headers: { Authorization: 'Bearer sk_live_HEADER_SECRET' },
    })
    const first = await payOnce(keyed)
    expect(first.status).toBe(503)
    const withPassword = createHttpFacilitatorClient({ url: 'http://admin:hunter2@127.0.0.1:9/' })
    const second = await payOnce(withPassword)
    expect(second.status).toBe(502)

    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'tollgate paywall: the facilitator failed to verify',
      'tollgate paywall: the facilitator failed to verify',
    ])
    const text = written(warn)
    expect(text).toContain('GET /r')
    expect(text).toContain('FacilitatorError')
    expect(text).toContain('127.0.0.1:9')
    for (const secret of [
      'KEY_IN_QUERY_123',
      'sk_live_HEADER_SECRET',
      'hunter2',
      first.header,
      first.signature.slice(2),
      second.signature.slice(2),
    ])
      expect(text).not.toContain(secret)
  })

  test('a settler without gas: the failed settlement is warned about, with its reason, not the signature', async () => {
    const broke = privateKeyToAccount(generatePrivateKey())
    const gasless = createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(broke),
      assets: [devnet.usdc],
    })
    const { status, header, signature } = await payOnce(gasless)
    expect(status).toBe(402)
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'tollgate paywall: a settlement failed',
    ])
    const [, context] = warn.mock.calls[0] as [string, Record<string, unknown>]
    expect(context).toMatchObject({
      route: 'GET /r',
      network: devnet.network,
      payer: devnet.accounts[0]!.address,
      reason: 'invalid_exact_evm_transaction_failed',
    })
    expect(String(context.message)).toMatch(/exceeds the balance of the account/)
    const text = written(warn)
    expect(text).not.toContain(header)
    expect(text).not.toContain(signature.slice(2))
  })

  test('logger: false says nothing', async () => {
    const dead = createHttpFacilitatorClient({ url: 'http://127.0.0.1:9/' })
    expect((await payOnce(dead, false)).status).toBe(503)
    expect(warn).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
  })
})
