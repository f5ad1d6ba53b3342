import type { Asset } from '@tollgate/evm'
import type { Receipt } from '@tollgate/fetch'
import { createPolicy, getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import type { SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import express from 'express'
import { type Address, erc20Abi, type Hex, publicActions } from 'viem'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { settle as legacySettle, verify as legacyVerify } from 'x402/facilitator'
import { paymentMiddleware as legacyPaymentMiddleware } from 'x402-express'

// Our paying fetch against the reference servers, on anvil: `@x402/express` (v2) with the reference
// facilitator in-process, and the legacy `x402-express` (v1) with a local HTTP facilitator built on
// the legacy `x402` package. Each paid call must move the payee's balance exactly once.

type DevnetHandle = ReturnType<typeof useDevnet>

function balanceOf(devnet: DevnetHandle, token: Address, owner: Address) {
  return devnet.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}

async function expectOnChain(devnet: DevnetHandle, receipt: Receipt | undefined) {
  expect(receipt?.status).toBe('settled')
  const onChain = await devnet.publicClient.getTransactionReceipt({
    hash: receipt!.transaction as Hex,
  })
  expect(onChain.status).toBe('success')
}

function assetOf(devnet: DevnetHandle, token: 'usdc' | 'usdcAlt'): Asset {
  return {
    chainId: devnet.chainId,
    network: devnet.network,
    address: devnet[token].address,
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: devnet[token].name, version: devnet[token].version },
  }
}

describe('@x402/express (v2) with the reference facilitator', () => {
  const devnet = useDevnet({ accounts: 3 })
  let url: string
  let close: () => Promise<void>
  let payee: Address
  let payments: number

  beforeAll(async () => {
    const [, second, operator] = devnet.accounts
    payee = second!.address
    const client = devnet.walletClient(operator!.account).extend(publicActions)
    const signer = toFacilitatorEvmSigner({
      address: operator!.address,
      readContract: (args) => client.readContract(args as never),
      verifyTypedData: (args) => client.verifyTypedData(args as never),
      writeContract: (args) => client.writeContract(args as never),
      sendTransaction: (args) => client.sendTransaction(args as never),
      waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
      getCode: (args) => client.getCode(args),
    })
    const facilitator = new x402Facilitator().register(
      devnet.network,
      new ExactEvmFacilitatorScheme(signer),
    )
    // The resource server talks to the facilitator in-process, through its client interface.
    const server = new x402ResourceServer({
      verify: (payload, requirements) => facilitator.verify(payload, requirements),
      settle: (payload, requirements) => facilitator.settle(payload, requirements),
      // The reference types `network` as a plain string here, where the client wants `ns:ref`.
      getSupported: async () => facilitator.getSupported() as SupportedResponse,
    }).register(devnet.network, new ExactEvmServerScheme())

    const option = (amount: string, token: 'usdc' | 'usdcAlt') => ({
      scheme: 'exact',
      network: devnet.network,
      payTo: payee,
      price: {
        amount,
        asset: devnet[token].address,
        extra: { name: devnet[token].name, version: devnet[token].version },
      },
    })
    const app = express()
    app.use((req, _res, next) => {
      if (req.headers['payment-signature']) payments++
      next()
    })
    app.use(express.json())
    app.use(
      paymentMiddleware(
        {
          'GET /weather': { accepts: option('10000', 'usdc'), description: 'Weather' },
          'POST /forecast': { accepts: option('20000', 'usdc'), description: 'Forecast' },
          // Two options: the cheaper one is on the other token.
          'GET /premium': {
            accepts: [option('30000', 'usdc'), option('25000', 'usdcAlt')],
            description: 'Premium',
          },
        },
        server,
      ),
    )
    app.get('/weather', (_req, res) => {
      res.json({ weather: 'sunny' })
    })
    app.post('/forecast', (req, res) => {
      res.json({ forecast: 'rain', for: req.body })
    })
    app.get('/premium', (_req, res) => {
      res.json({ premium: true })
    })
    const listening = await listen(app)
    url = listening.url
    close = listening.close
  })

  afterAll(async () => {
    await close?.()
  })

  beforeEach(() => {
    payments = 0
  })

  test('each paid call moves the payee balance once', async () => {
    const [payer] = devnet.accounts
    const pay = wrapFetch({ account: payer!.account, assets: [assetOf(devnet, 'usdc')] })
    const before = await balanceOf(devnet, devnet.usdc.address, payee)
    const receipts: Receipt[] = []
    for (let i = 0; i < 3; i++) {
      const response = await pay(`${url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'sunny' })
      receipts.push(getReceipt(response)!)
    }
    expect(payments).toBe(3)
    expect((await balanceOf(devnet, devnet.usdc.address, payee)) - before).toBe(30_000n)
    for (const receipt of receipts) await expectOnChain(devnet, receipt)
    expect(new Set(receipts.map((r) => r.transaction)).size).toBe(3)
    expect(receipts[0]).toMatchObject({ x402Version: 2, amount: 10_000n, payTo: payee })
  })

  test('a JSON POST is replayed with its body', async () => {
    const [payer] = devnet.accounts
    const pay = wrapFetch({ account: payer!.account, assets: [assetOf(devnet, 'usdc')] })
    const before = await balanceOf(devnet, devnet.usdc.address, payee)
    const response = await pay(`${url}/forecast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ city: 'Lisbon' }),
    })
    expect(await response.json()).toEqual({ forecast: 'rain', for: { city: 'Lisbon' } })
    expect((await balanceOf(devnet, devnet.usdc.address, payee)) - before).toBe(20_000n)
    await expectOnChain(devnet, getReceipt(response))
  })

  test('the cheapest acceptable option is paid, on its own token', async () => {
    const [payer] = devnet.accounts
    const pay = wrapFetch({
      account: payer!.account,
      assets: [assetOf(devnet, 'usdc'), assetOf(devnet, 'usdcAlt')],
    })
    const [usdcBefore, altBefore] = await Promise.all([
      balanceOf(devnet, devnet.usdc.address, payee),
      balanceOf(devnet, devnet.usdcAlt.address, payee),
    ])
    const response = await pay(`${url}/premium`)
    expect(response.status).toBe(200)
    expect(await balanceOf(devnet, devnet.usdc.address, payee)).toBe(usdcBefore)
    expect((await balanceOf(devnet, devnet.usdcAlt.address, payee)) - altBefore).toBe(25_000n)
    expect(getReceipt(response)).toMatchObject({ asset: devnet.usdcAlt.address, amount: 25_000n })
  })

  test('pre-emptive payment: the reference server accepts the repeat payment without a 402', async () => {
    const [payer] = devnet.accounts
    const requests: string[] = []
    const counting = (async (input: string, init: RequestInit) => {
      requests.push(new Headers(init.headers).has('payment-signature') ? 'paid' : 'unpaid')
      return fetch(input, init)
    }) as typeof fetch
    const pay = wrapFetch(counting, {
      account: payer!.account,
      assets: [assetOf(devnet, 'usdc')],
      preemptive: true,
    })
    const before = await balanceOf(devnet, devnet.usdc.address, payee)
    for (let i = 0; i < 3; i++) expect((await pay(`${url}/weather`)).status).toBe(200)
    expect(requests).toEqual(['unpaid', 'paid', 'paid', 'paid'])
    expect((await balanceOf(devnet, devnet.usdc.address, payee)) - before).toBe(30_000n)
  })

  test('a budget is enforced against the reference server: the refused call signs and pays nothing', async () => {
    const [payer] = devnet.accounts
    const pay = wrapFetch({
      account: payer!.account,
      assets: [assetOf(devnet, 'usdc')],
      policy: createPolicy({ budgets: [{ limit: '$0.02' }] }),
    })
    const before = await balanceOf(devnet, devnet.usdc.address, payee)
    await pay(`${url}/weather`)
    await pay(`${url}/weather`)
    await expect(pay(`${url}/weather`)).rejects.toMatchObject({ name: 'BudgetExceededError' })
    expect(payments).toBe(2)
    expect((await balanceOf(devnet, devnet.usdc.address, payee)) - before).toBe(20_000n)
  })
})

describe('legacy x402-express (v1) with a legacy x402 facilitator', () => {
  // Legacy x402 only knows fixed networks with hard-coded USDC addresses: run the devnet as Base
  // Sepolia and put the "USDC"-domain test token at Base Sepolia's USDC address.
  const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
  const devnet = useDevnet({ accounts: 3, chainId: 84532 })
  let url: string
  let payee: Address
  let payments: number
  const closers: (() => Promise<void>)[] = []

  beforeAll(async () => {
    await devnet.placeUsdcAt(baseSepoliaUsdc, 'usdcAlt')
    const [, second, operator] = devnet.accounts
    payee = second!.address
    const settler = devnet.walletClient(operator!.account).extend(publicActions)
    const facilitator = await listen({
      async fetch(request) {
        const { pathname } = new URL(request.url)
        if (pathname === '/supported')
          return Response.json({
            kinds: [{ x402Version: 1, scheme: 'exact', network: 'base-sepolia' }],
          })
        const { paymentPayload, paymentRequirements } = await request.json()
        if (pathname === '/verify')
          return Response.json(
            await legacyVerify(devnet.publicClient as never, paymentPayload, paymentRequirements),
          )
        if (pathname === '/settle')
          return Response.json(
            await legacySettle(settler as never, paymentPayload, paymentRequirements),
          )
        return new Response('not found', { status: 404 })
      },
    })
    closers.push(facilitator.close)

    const app = express()
    app.use((req, _res, next) => {
      if (req.headers['x-payment']) payments++
      next()
    })
    app.use(
      legacyPaymentMiddleware(
        payee,
        { 'GET /weather': { price: '$0.01', network: 'base-sepolia' } },
        { url: facilitator.url as `${string}://${string}` },
      ),
    )
    app.get('/weather', (_req, res) => {
      res.json({ weather: 'foggy' })
    })
    const server = await listen(app)
    closers.push(server.close)
    url = server.url
  })

  afterAll(async () => {
    await Promise.all(closers.map((close) => close()))
  })

  beforeEach(() => {
    payments = 0
  })

  test('pays the v1 JSON challenge with X-PAYMENT; each call moves the balance once', async () => {
    const [payer] = devnet.accounts
    // Base Sepolia USDC is in the built-in registry: no extra assets needed.
    const pay = wrapFetch({ account: payer!.account, policy: { networks: ['base-sepolia'] } })
    const before = await balanceOf(devnet, baseSepoliaUsdc, payee)
    const receipts: Receipt[] = []
    for (let i = 0; i < 2; i++) {
      const response = await pay(`${url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'foggy' })
      receipts.push(getReceipt(response)!)
    }
    expect(payments).toBe(2)
    expect((await balanceOf(devnet, baseSepoliaUsdc, payee)) - before).toBe(20_000n)
    for (const receipt of receipts) await expectOnChain(devnet, receipt)
    expect(receipts[0]).toMatchObject({
      x402Version: 1,
      network: 'eip155:84532',
      amount: 10_000n,
      asset: baseSepoliaUsdc,
    })
    expect(receipts[0]?.signed).toMatchObject({
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
    })
  })
})
