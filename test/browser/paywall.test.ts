// The paywall as a browser meets it, in real headless Chromium: the HTML page a person sees, and
// a script on another origin that reads the challenge, pays and reads the settlement (CORS).
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from '@tollgate/core'
import { type Asset, createPaymentPayload } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const devnet = useDevnet({ accounts: 3 })
const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'

let browser: Browser
let page: Page
let payTo: Address
let api: Awaited<ReturnType<typeof listen>>
let closedApi: Awaited<ReturnType<typeof listen>>
let origin: Awaited<ReturnType<typeof listen>>
const preflights: string[] = []

/** The rendered text of an element, as a person sees it (CSS applied, hidden text left out). */
function seen(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text is the point here, not a DOM node's textContent
  return locator.innerText()
}

function paywalledApp(cors: boolean) {
  const assets: Asset[] = [devnet.usdc]
  const app = express()
  app.use((req, _res, next) => {
    if (req.method === 'OPTIONS') preflights.push(req.get('access-control-request-headers') ?? '')
    next()
  })
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(devnet.accounts[2]!.account),
        assets,
      }),
      {
        assets,
        cors,
        routes: {
          'GET /report': {
            price: '$1.25',
            payTo,
            network: devnet.network,
            description: 'Quarterly <report> & data',
          },
          'GET /sepolia-report': { price: '0.5', payTo, network: 'base-sepolia' },
        },
      },
    ),
  )
  app.get(['/report', '/sepolia-report'], (_req, res) => {
    res.json({ report: 'the paid report' })
  })
  return app
}

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  api = await listen(paywalledApp(true))
  closedApi = await listen(paywalledApp(false))
  const site = express()
  site.get('/', (_req, res) => {
    res.type('html').send('<!doctype html><title>agent page</title><p>another origin</p>')
  })
  origin = await listen(site)
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  page = await browser.newPage()
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([api?.close(), closedApi?.close(), origin?.close()])
})

describe('the HTML paywall', () => {
  test('a person sees the price, the asset, the network and the payee', async () => {
    const response = await page.goto(`${api.url}/report`)
    expect(response?.status()).toBe(402)
    const headers = response!.headers()
    expect(headers['content-type']).toMatch(/^text\/html/)
    expect(headers['cache-control']).toBe('no-store')
    const paymentRequired = decodePaymentRequiredHeader(headers['payment-required']!)
    expect(paymentRequired.accepts[0]).toMatchObject({ amount: '1250000', payTo })

    expect(await page.title()).toBe('Quarterly <report> & data - payment required')
    expect(await seen(page.getByTestId('amount'))).toBe('1.25')
    expect(await seen(page.getByTestId('symbol'))).toBe('USDC')
    expect(await seen(page.getByTestId('network'))).toBe(devnet.network)
    expect(await seen(page.getByTestId('pay-to'))).toBe(payTo)
    const text = await seen(page.locator('body'))
    expect(text).toContain('Payment required')
    // The description is shown as text, not parsed as markup.
    expect(text).toContain('Quarterly <report> & data costs:')
    // The challenge is embedded for a wallet script, and it parses.
    const embedded = await page.locator('#x402-payment-required').textContent()
    expect(JSON.parse(embedded!)).toEqual(paymentRequired)
    // The paid content is nowhere on the page.
    expect(await page.content()).not.toContain('the paid report')
  })

  test('a named network is shown by name, with the amount in token units', async () => {
    const response = await page.goto(`${api.url}/sepolia-report`)
    expect(response?.status()).toBe(402)
    expect(response!.headers()['payment-required']).toBeTruthy()
    expect(await seen(page.getByTestId('amount'))).toBe('0.5')
    expect(await seen(page.getByTestId('symbol'))).toBe('USDC')
    expect(await seen(page.getByTestId('network'))).toBe('Base Sepolia (eip155:84532)')
    expect(await seen(page.locator('body'))).toContain(baseSepoliaUsdc)
  })
})

describe('CORS from a page on another loopback origin', () => {
  async function payFromPage(target: string) {
    await page.goto(`${origin.url}/`)
    // The page reads the challenge first; the payment is signed outside (no wallet in the page).
    const challenge = await page.evaluate(async (url) => {
      const response = await fetch(url)
      return { status: response.status, header: response.headers.get('PAYMENT-REQUIRED') }
    }, target)
    expect(challenge.status).toBe(402)
    expect(challenge.header).toBeTruthy()
    const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: decodePaymentRequiredHeader(challenge.header!),
    })
    return page.evaluate(
      async ({ url, header }) => {
        const response = await fetch(url, { headers: { 'PAYMENT-SIGNATURE': header } })
        return {
          status: response.status,
          body: await response.text(),
          paymentResponse: response.headers.get('PAYMENT-RESPONSE'),
        }
      },
      { url: target, header: encodePaymentSignatureHeader(payload) },
    )
  }

  test('the script reads PAYMENT-REQUIRED, pays through a preflight, and reads PAYMENT-RESPONSE', async () => {
    const balanceOf = (address: Address) =>
      devnet.publicClient.readContract({
        address: devnet.usdc.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [address],
      })
    const before = await balanceOf(payTo)
    preflights.length = 0
    const result = await payFromPage(`${api.url}/report`)
    expect(result.status).toBe(200)
    expect(JSON.parse(result.body)).toEqual({ report: 'the paid report' })
    expect(decodePaymentResponseHeader(result.paymentResponse!)).toMatchObject({ success: true })
    expect(preflights).toEqual(['payment-signature'])
    expect(await balanceOf(payTo)).toBe(before + 1_250_000n)
  })

  test('control: with cors: false the same script is blocked by the browser', async () => {
    await page.goto(`${origin.url}/`)
    const outcome = await page.evaluate(async (url) => {
      try {
        await fetch(url)
        return 'read'
      } catch (error) {
        return (error as Error).name
      }
    }, `${closedApi.url}/report`)
    expect(outcome).toBe('TypeError')
  })
})
