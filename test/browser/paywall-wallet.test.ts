// The paywall page paid by a person: headless Chromium with an injected EIP-1193 wallet (a real
// key that signs in Node, the devnet behind it) connects, switches chain, signs and pays v2 and
// v1 routes served by Express, by a Web-standard `Request => Response` handler and by Hono, all over
// the shared HTTP layer, and shows what was bought; a declined signature charges nothing; the served
// page holds none of the secrets the servers were configured with.

import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import {
  createFacilitator,
  createSqliteLedger,
  type Facilitator,
  type Ledger,
  serveFacilitator,
} from '@tollgate/facilitator'
import { createPaywall as createHonoPaywall } from '@tollgate/hono'
import {
  type CreateHttpPaywallParameters,
  createHttpPaywall,
  createPaywallPage,
  paywallPageScriptHash,
  type Routes,
  withPaywall,
} from '@tollgate/paywall/http'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { Hono } from 'hono'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type Address, erc20Abi, type Hash } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { type Discovery, type InjectedWallet, injectWallet } from './injectedWallet.js'

const devnet = useDevnet({ accounts: 4 })
const facilitatorApiKey = 'tg_live_3f9c1a7e5d2b4c6a8e0f1d3b5a7c9e1f'

type Paid = { type: string; body: string | Uint8Array; headers?: Record<string, string> }

/** What each paid path answers, whatever the server. */
const paidContent: Record<string, Paid> = {
  '/v2/report': {
    type: 'text/html; charset=utf-8',
    // The inline script is the paid page's own: it must not run under the paywall page's policy.
    body: '<!doctype html><html><head><title>Quarterly report</title></head><body><h1 id="paid">the paid report</h1><script>document.title = "a paid script ran"</script></body></html>',
  },
  '/v1/data': {
    type: 'application/json; charset=utf-8',
    body: JSON.stringify({ report: 'the paid data', rows: [1, 2, 3] }),
  },
  '/v2/file': {
    type: 'application/octet-stream',
    body: new Uint8Array([0, 1, 2, 250, 255]),
    headers: { 'content-disposition': 'attachment; filename="report.bin"' },
  },
  '/plain/report': { type: 'text/plain; charset=utf-8', body: 'plain report' },
}
const prices = { '/v2/report': 1_250_000n, '/v1/data': 500_000n, '/v2/file': 10_000n }

/** A server under test: its URL, what its handlers saw, the secrets it was configured with. */
type Served = {
  url: string
  discovery: Discovery
  /** Handler runs by path. */
  runs: Map<string, number>
  /** The payment header each paid request carried, by path. */
  paymentHeaders: Map<string, string[]>
  secrets: string[]
  close(): Promise<void>
}

let browser: Browser
let payTo: Address
const servers: Partial<Record<'express' | 'web' | 'hono', Served>> = {}
let ledger: Ledger | undefined
let facilitator: Facilitator | undefined
let facilitatorService: Awaited<ReturnType<typeof serveFacilitator>> | undefined

/** The three paywalls each server mounts: v2 and v1 pages that can add the devnet, and the default page. */
function paywallParameters<raw>(): CreateHttpPaywallParameters<raw>[] {
  const option = { payTo, network: devnet.network }
  const routes = (entries: Record<string, string>): Routes<raw> =>
    Object.fromEntries(
      Object.entries(entries).map(([path, price]) => [`GET ${path}`, { ...option, price }]),
    )
  const base = { assets: [devnet.usdc], logger: false as const }
  return [
    {
      ...base,
      routes: routes({ '/v2/report': '$1.25', '/v2/file': '$0.01' }),
      paywallPage: createPaywallPage({ chains: [devnet.chain] }),
    },
    {
      ...base,
      routes: routes({ '/v1/data': '0.5' }),
      paywallPage: createPaywallPage({ x402Version: 1, chains: [devnet.chain] }),
    },
    { ...base, routes: routes({ '/plain/report': '$0.01' }) },
  ]
}

function recorder() {
  const runs = new Map<string, number>()
  const paymentHeaders = new Map<string, string[]>()
  const record = (path: string, header: (name: string) => string | null | undefined) => {
    runs.set(path, (runs.get(path) ?? 0) + 1)
    const name = header('payment-signature')
      ? 'PAYMENT-SIGNATURE'
      : header('x-payment')
        ? 'X-PAYMENT'
        : 'none'
    paymentHeaders.set(path, [...(paymentHeaders.get(path) ?? []), name])
  }
  return { runs, paymentHeaders, record }
}

async function startExpress(): Promise<Served> {
  const settler = devnet.accounts[2]!
  const local = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(settler.account),
    assets: [devnet.usdc],
  })
  const { runs, paymentHeaders, record } = recorder()
  const app = express()
  for (const parameters of paywallParameters()) app.use(createPaywall(local, parameters))
  for (const [path, paid] of Object.entries(paidContent))
    app.get(path, (req, res) => {
      record(path, (name) => req.get(name))
      res
        .status(200)
        .type(paid.type)
        .set(paid.headers ?? {})
        .send(typeof paid.body === 'string' ? paid.body : Buffer.from(paid.body))
    })
  const server = await listen(app)
  return { ...server, discovery: 'eip6963', runs, paymentHeaders, secrets: [settler.privateKey] }
}

async function startWeb(): Promise<Served> {
  const settler = devnet.accounts[3]!
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: [devnet.usdc],
        pollingIntervalMs: 100,
      },
    ],
    signers: [settler.account],
    mode: 'confirmed',
    http: { apiKeys: [facilitatorApiKey] },
  })
  await facilitator.start()
  facilitatorService = await serveFacilitator(facilitator, { port: 0 })
  const client: FacilitatorClient = createHttpFacilitatorClient({
    url: facilitatorService.url,
    headers: { Authorization: `Bearer ${facilitatorApiKey}` },
  })
  const { runs, paymentHeaders, record } = recorder()
  const handler = async (request: Request) => {
    const path = new URL(request.url).pathname
    const paid = paidContent[path]
    if (!paid) return new Response('not found', { status: 404 })
    record(path, (name) => request.headers.get(name))
    return paidResponse(paid)
  }
  const app = paywallParameters<Request>().reduceRight(
    (inner, parameters) => withPaywall(inner, { paywall: createHttpPaywall(client, parameters) }),
    handler,
  )
  const server = await listen({ fetch: app })
  const secrets = [facilitatorApiKey, settler.privateKey, facilitatorService.url]
  return { ...server, discovery: 'window.ethereum', runs, paymentHeaders, secrets }
}

function paidResponse(paid: Paid): Response {
  const body = typeof paid.body === 'string' ? paid.body : new Uint8Array(paid.body)
  return new Response(body, { headers: { 'content-type': paid.type, ...paid.headers } })
}

/** Hono (its Web `fetch`) with `@tollgate/hono`'s middleware, paying through the facilitator service. */
async function startHono(client: FacilitatorClient, secrets: string[]): Promise<Served> {
  const { runs, paymentHeaders, record } = recorder()
  const app = new Hono()
  for (const parameters of paywallParameters()) app.use(createHonoPaywall(client, parameters))
  for (const [path, paid] of Object.entries(paidContent))
    app.get(path, (c) => {
      record(path, (name) => c.req.header(name))
      return paidResponse(paid)
    })
  const server = await listen({ fetch: app.fetch })
  return { ...server, discovery: 'eip6963', runs, paymentHeaders, secrets }
}

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  servers.express = await startExpress()
  servers.web = await startWeb()
  servers.hono = await startHono(
    createHttpFacilitatorClient({
      url: facilitatorService!.url,
      headers: { Authorization: `Bearer ${facilitatorApiKey}` },
    }),
    servers.web.secrets,
  )
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
})

afterAll(async () => {
  await browser?.close()
  await Promise.all([servers.express?.close(), servers.web?.close(), servers.hono?.close()])
  await facilitatorService?.close()
  await facilitator?.close()
  await ledger?.close()
})

const pages: Page[] = []
afterEach(async () => {
  await Promise.all(pages.splice(0).map((page) => page.context().close()))
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/** Balances of the payer and the payee. */
async function balances() {
  const payer = devnet.accounts[0]!.address
  return { payer: await balanceOf(payer), payee: await balanceOf(payTo) }
}

/** A fresh browser context on `path`, with the payer's wallet injected. */
async function open(served: Served, path: string) {
  const page = await browser.newPage()
  pages.push(page)
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  const wallet = await injectWallet(page, {
    account: devnet.accounts[0]!.account,
    publicClient: devnet.publicClient,
    discovery: served.discovery,
  })
  const response = await page.goto(`${served.url}${path}`)
  expect(response?.status()).toBe(402)
  return { page, wallet, response: response!, consoleErrors }
}

/** Clicks the pay button (enabled once the page's script runs) and waits for the status. */
async function pay(page: Page, until: string) {
  await page.getByRole('button', { name: 'Pay with a browser wallet' }).click()
  await page.getByText(until).first().waitFor()
}

function status(page: Page) {
  return page.locator('#tollgate-status').textContent()
}

function expectOnePayment(served: Served, wallet: InjectedWallet, path: string, header: string) {
  expect(wallet.signatures).toBe(1)
  expect(served.runs.get(path)).toBe(1)
  expect(served.paymentHeaders.get(path)).toEqual([header])
}

describe.each(['express', 'web', 'hono'] as const)('the paywall page served by %s', (name) => {
  const served = () => servers[name]!

  test('v2: connects, adds and switches the chain, signs, pays once and shows the paid HTML', async () => {
    const path = '/v2/report'
    const before = await balances()
    const { page, wallet, response, consoleErrors } = await open(served(), path)
    expect(response.headers()['content-security-policy']).toBe(
      `script-src ${paywallPageScriptHash}; object-src 'none'; base-uri 'none'`,
    )
    const button = page.getByRole('button', { name: 'Pay with a browser wallet' })
    // The policy lets the page's own script run (it enables the button) and blocked nothing.
    await button.and(page.locator(':enabled')).waitFor()
    expect(consoleErrors.filter((text) => text.includes('Content Security Policy'))).toEqual([])
    // The paid page's own inline script is blocked by the policy the page keeps.
    const blocked = page.waitForEvent('console', {
      predicate: (message) => message.text().includes('Content Security Policy'),
    })
    await button.click()
    await page.locator('#paid').waitFor()
    expect(await page.locator('#paid').textContent()).toBe('the paid report')
    await blocked
    expect(await page.title()).toBe('Quarterly report')
    expect(wallet.calls).toContain('wallet_addEthereumChain')
    expect(wallet.calls.filter((call) => call === 'eth_signTypedData_v4')).toHaveLength(1)
    expectOnePayment(served(), wallet, path, 'PAYMENT-SIGNATURE')
    const after = await balances()
    expect(after.payee - before.payee).toBe(prices[path])
    expect(before.payer - after.payer).toBe(prices[path])
  })

  test('v1: pays with X-PAYMENT, shows the JSON pretty-printed and the transaction', async () => {
    const path = '/v1/data'
    const before = await balances()
    const { page, wallet } = await open(served(), path)
    await pay(page, 'Paid. Transaction')
    await page.locator('#tollgate-result pre').waitFor()
    const shown = (await page.locator('#tollgate-result pre').textContent())!
    expect(shown).toBe(JSON.stringify({ report: 'the paid data', rows: [1, 2, 3] }, null, 2))
    expectOnePayment(served(), wallet, path, 'X-PAYMENT')
    const transaction = (await status(page))!.replace('Paid. Transaction ', '') as Hash
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: transaction })
    expect(receipt.status).toBe('success')
    const after = await balances()
    expect(after.payee - before.payee).toBe(prices[path])
    expect(before.payer - after.payer).toBe(prices[path])
  })

  test.each([
    ['v2', '/v2/report'],
    ['v1', '/v1/data'],
  ])(
    '%s: a person who declines the signature is told so, and nothing is charged',
    async (_version, path) => {
      const before = await balances()
      const runsBefore = served().runs.get(path) ?? 0
      const { page, wallet } = await open(served(), path)
      wallet.rejectNextSignature()
      await pay(page, 'You declined the signature.')
      expect(await status(page)).toBe('You declined the signature. Nothing was charged.')
      expect(await page.locator('#tollgate-status').getAttribute('data-state')).toBe('error')
      expect(wallet.calls).toContain('eth_signTypedData_v4')
      expect(wallet.signatures).toBe(0)
      // No paid request reached the handler, no money moved, and the person can try again.
      expect(served().runs.get(path) ?? 0).toBe(runsBefore)
      expect(await balances()).toEqual(before)
      expect(
        await page.getByRole('button', { name: 'Pay with a browser wallet' }).isEnabled(),
      ).toBe(true)
    },
  )

  test('the served page holds none of the secrets the server was configured with', async () => {
    for (const path of ['/v2/report', '/v1/data', '/plain/report']) {
      const response = await fetch(`${served().url}${path}`, { headers: { accept: 'text/html' } })
      expect(response.status).toBe(402)
      const page = `${[...response.headers].join('\n')}\n${await response.text()}`.toLowerCase()
      expect(page).toContain('<script>')
      for (const secret of served().secrets) {
        expect(page).not.toContain(secret.toLowerCase())
        expect(page).not.toContain(secret.toLowerCase().replace(/^0x/, ''))
      }
    }
  })
})

describe('what the page does with what it cannot pay, and with other content', () => {
  test('a wallet without the chain, on a page that has no RPC for it: told to add it, nothing signed', async () => {
    const { page, wallet } = await open(servers.express!, '/plain/report')
    await pay(page, 'Your wallet does not know')
    expect(await status(page)).toBe(
      `Your wallet does not know ${devnet.network} (chain id ${devnet.chainId}) and this page has no public RPC for it: add the network to your wallet, then pay again.`,
    )
    expect(wallet.calls).toContain('wallet_switchEthereumChain')
    expect(wallet.calls).not.toContain('wallet_addEthereumChain')
    expect(wallet.calls).not.toContain('eth_signTypedData_v4')
    expect(servers.express!.runs.get('/plain/report')).toBeUndefined()
  })

  test('several EIP-6963 wallets: the person picks one, and only that one is asked', async () => {
    const page = await browser.newPage()
    pages.push(page)
    // A second wallet beside the test wallet, which the person picks and then declines to connect.
    await page.addInitScript(() => {
      const provider = {
        request: async () => {
          throw Object.assign(new Error('User rejected the request.'), { code: 4001 })
        },
      }
      const detail = Object.freeze({
        info: { uuid: crypto.randomUUID(), name: 'Other Wallet', icon: '', rdns: 'dev.other' },
        provider,
      })
      const announce = () =>
        window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
      window.addEventListener('eip6963:requestProvider', announce)
    })
    const wallet = await injectWallet(page, {
      account: devnet.accounts[0]!.account,
      publicClient: devnet.publicClient,
      discovery: 'eip6963',
    })
    await page.goto(`${servers.express!.url}/v2/report`)
    const select = page.getByLabel('Wallet')
    await select.waitFor()
    expect((await select.locator('option').allTextContents()).sort()).toEqual([
      'Other Wallet',
      'Test Wallet',
    ])
    await select.selectOption({ label: 'Other Wallet' })
    await pay(page, 'You declined to connect your wallet.')
    expect(wallet.calls).toEqual([])
  })

  test('a binary response is offered as a download of the exact bytes', async () => {
    const { page, wallet } = await open(servers.web!, '/v2/file')
    await pay(page, 'Paid. Transaction')
    const link = page.getByRole('link', { name: 'Download report.bin' })
    await link.waitFor()
    expect(await link.getAttribute('download')).toBe('report.bin')
    const bytes = await page.evaluate(async () => {
      const anchor = document.querySelector<HTMLAnchorElement>('#tollgate-result a')!
      return Array.from(new Uint8Array(await (await fetch(anchor.href)).arrayBuffer()))
    })
    expect(bytes).toEqual([0, 1, 2, 250, 255])
    expectOnePayment(servers.web!, wallet, '/v2/file', 'PAYMENT-SIGNATURE')
  })
})
