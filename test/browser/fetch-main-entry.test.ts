// `@tollgate/fetch`'s main entry outside Node: its built ESM and everything it imports, bundled
// with no Node built-in allowed, pays a Tollgate paywall on a devnet from a page in headless
// Chromium, and from a `node:vm` context that holds only Web globals (no `process`, `require`,
// `Buffer`): what an edge runtime offers. The account's key stays in the test: the page and the
// context ask it to sign, as a wallet would.
import vm from 'node:vm'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Browser, chromium } from 'playwright-core'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { bundleFetch } from './bundleFetch.js'

const devnet = useDevnet({ accounts: 3 })

let api: Awaited<ReturnType<typeof listen>>
let payTo: Address
let asset: Asset

/** Typed data as JSON (bigints as strings), back into what viem signs. */
function reviveTypedData(json: string) {
  const typedData = JSON.parse(json)
  for (const field of ['value', 'validAfter', 'validBefore'])
    if (typeof typedData.message?.[field] === 'string')
      typedData.message[field] = BigInt(typedData.message[field])
  return typedData
}

/** Signs for the paying account outside the runtime under test, as a wallet would. */
function signTypedData(json: string): Promise<string> {
  return devnet.accounts[0]!.account.signTypedData(reviveTypedData(json))
}

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/**
 * The script both runtimes run: pays `url` with the bundle's `wrapFetch`, the account signing
 * through `signTypedData(json)`. Plain JavaScript, given `tollgateFetch` (the bundle's exports).
 */
const payScript = `async function payWith(tollgateFetch, { url, address, asset }) {
  const { wrapFetch, getReceipt, createPolicy } = tollgateFetch
  const account = {
    address,
    type: 'local',
    async signTypedData(typedData) {
      return signTypedData(JSON.stringify(typedData, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)))
    },
  }
  const policy = createPolicy({ maxPerRequest: '$0.02', budgets: [{ limit: '$0.05' }] })
  const pay = wrapFetch({ account, assets: [asset], policy })
  const response = await pay(url)
  const receipt = getReceipt(response)
  return {
    status: response.status,
    body: await response.text(),
    receipt: receipt && { status: receipt.status, amount: String(receipt.amount), transaction: receipt.transaction },
  }
}`

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  asset = devnet.usdc
  const app = express()
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(devnet.accounts[2]!.account),
        assets: [asset],
      }),
      {
        assets: [asset],
        cors: true,
        routes: { 'GET /report': { price: '$0.01', payTo, network: devnet.network } },
      },
    ),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'the paid report' })
  })
  api = await listen(app)
})

afterAll(async () => {
  await api?.close()
})

test('the bundle is of the built packages, and a Node built-in anywhere in it fails the build', async () => {
  const { inputs } = await bundleFetch('esm')
  expect(inputs).toContain('packages/fetch/dist/index.js')
  expect(inputs).toContain('packages/core/dist/index.js')
  expect(inputs).toContain('packages/evm/dist/index.js')
  // The engine under the transport: fetch imports the payer's built main entry, not a copy.
  expect(inputs).toContain('packages/payer/dist/index.js')
  expect(inputs.filter((input) => input.includes('/src/'))).toEqual([])
  // Control: the Node entry (the file receipt log) cannot be bundled for such a runtime.
  await expect(bundleFetch('esm', 'node.js')).rejects.toThrow(
    /imports the Node built-in "(node:)?fs\/promises"/,
  )
})

test("the payer's main entry bundles on its own without a Node built-in; its Node entry does not", async () => {
  const { code, inputs } = await bundleFetch('esm', 'index.js', 'payer')
  expect(inputs).toContain('packages/payer/dist/index.js')
  expect(inputs.filter((input) => input.includes('packages/fetch/'))).toEqual([])
  expect(code).toContain('createPayer')
  await expect(bundleFetch('esm', 'node.js', 'payer')).rejects.toThrow(
    /imports the Node built-in "(node:)?fs\/promises"/,
  )
})

describe('in Chromium', () => {
  let browser: Browser | undefined
  let site: Awaited<ReturnType<typeof listen>> | undefined
  afterAll(async () => {
    await browser?.close()
    await site?.close()
  })

  test('a page imports the built ESM and pays a paywall on another origin', async () => {
    const { code } = await bundleFetch('esm')
    site = await listen({
      fetch(request) {
        const { pathname } = new URL(request.url)
        if (pathname === '/fetch.js')
          return new Response(code, { headers: { 'content-type': 'text/javascript' } })
        return new Response('<!doctype html><title>agent</title>', {
          headers: { 'content-type': 'text/html' },
        })
      },
    })
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    const page = await browser.newPage()
    await page.exposeFunction('signTypedData', signTypedData)
    await page.goto(`${site.url}/`)
    const before = await balanceOf(payTo)
    const input = { url: `${api.url}/report`, address: devnet.accounts[0]!.address, asset }
    // A string, not a function: the test runner would rewrite the page's import() in a function.
    const result = await page.evaluate(
      `(async () => (${payScript})(await import('/fetch.js'), ${JSON.stringify(input)}))()`,
    )
    expect(result).toMatchObject({
      status: 200,
      body: JSON.stringify({ report: 'the paid report' }),
      receipt: { status: 'settled', amount: '10000' },
    })
    expect((result as { receipt: { transaction: string } }).receipt.transaction).toMatch(
      /^0x[0-9a-f]{64}$/,
    )
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })
})

describe('in a Web-standard runtime without Node built-ins', () => {
  test('the bundle loads in a node:vm context of Web globals only, and pays', async () => {
    const { code } = await bundleFetch('iife')
    const context = vm.createContext({
      fetch,
      Request,
      Response,
      Headers,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      crypto,
      AbortController,
      AbortSignal,
      ReadableStream,
      WritableStream,
      TransformStream,
      Blob,
      FormData,
      DOMException,
      Event,
      EventTarget,
      atob,
      btoa,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      queueMicrotask,
      structuredClone,
      performance,
      console,
      signTypedData,
    })
    vm.runInContext(code, context, { filename: 'fetch.bundle.js' })
    expect(
      vm.runInContext(
        '[typeof process, typeof require, typeof Buffer, typeof tollgateFetch.wrapFetch]',
        context,
      ),
    ).toEqual(['undefined', 'undefined', 'undefined', 'function'])
    const before = await balanceOf(payTo)
    const payWith = vm.runInContext(`(${payScript})`, context)
    const result = await payWith(vm.runInContext('tollgateFetch', context), {
      url: `${api.url}/report`,
      address: devnet.accounts[0]!.address,
      asset,
    })
    expect(result).toMatchObject({ status: 200, receipt: { status: 'settled', amount: '10000' } })
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  })
})
