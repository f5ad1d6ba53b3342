import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { createMemoryReceiptLog, getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import type { Hex } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createWorld, recordingAccount } from './fixtures.js'

// Control servers: honest paywalls (our Express middleware, settling on anvil). The default
// policy, with every guard on, pays them normally, call after call.

const devnet = useDevnet()
let world: ReturnType<typeof createWorld>
let url: string
let close: () => Promise<void>

beforeAll(async () => {
  world = createWorld(devnet)
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(world.operator.account),
    assets: [world.usdc, world.usdcAlt],
  })
  const app = express()
  app.use(express.json())
  app.use(
    createPaywall(facilitator, {
      assets: [world.usdc, world.usdcAlt],
      routes: {
        'GET /report': { price: '$0.01', payTo: world.payee.address, network: devnet.network },
        'POST /search': { price: '$0.02', payTo: world.payee.address, network: devnet.network },
        // Two options: the cheaper one is on the other token.
        'GET /premium': {
          payTo: world.payee.address,
          network: devnet.network,
          accepts: [
            { price: { amount: '30000', asset: world.usdc.address } },
            { price: { amount: '25000', asset: world.usdcAlt.address } },
          ],
        },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  app.post('/search', (req, res) => {
    res.json({ echo: req.body })
  })
  app.get('/premium', (_req, res) => {
    res.json({ premium: true })
  })
  const server = await listen(app)
  url = server.url
  close = server.close
})

afterAll(async () => {
  await close?.()
})

test('the default policy pays an honest paywall normally, call after call', async () => {
  const { account, signed } = recordingAccount(world.payer.account)
  const log = createMemoryReceiptLog()
  const pay = wrapFetch({ account, assets: [world.usdc], receipts: log })
  const before = await world.balanceOf(world.payee.address)
  for (let i = 0; i < 5; i++) {
    const response = await pay(`${url}/report?page=${i}`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'paid content' })
  }
  const search = await pay(`${url}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ q: 'tolls' }),
  })
  expect(await search.json()).toEqual({ echo: { q: 'tolls' } })

  expect(signed).toHaveLength(6)
  expect((await world.balanceOf(world.payee.address)) - before).toBe(5n * 10_000n + 20_000n)
  const receipts = await log.list()
  expect(receipts.map((r) => [r.status, r.disputed])).toEqual(
    Array.from({ length: 6 }, () => ['settled', undefined]),
  )
  for (const receipt of receipts) {
    const onChain = await devnet.publicClient.getTransactionReceipt({
      hash: receipt.transaction as Hex,
    })
    expect(onChain.status).toBe('success')
  }
})

test('an honest server with several options is paid once, with the cheapest', async () => {
  const { account, signed } = recordingAccount(world.payer.account)
  const pay = wrapFetch({ account, assets: [world.usdc, world.usdcAlt] })
  const before = await world.balanceOf(world.payee.address, 'usdcAlt')
  const response = await pay(`${url}/premium`)
  expect(response.status).toBe(200)
  expect(signed.map((m) => m.value)).toEqual([25_000n])
  expect((await world.balanceOf(world.payee.address, 'usdcAlt')) - before).toBe(25_000n)
  expect(getReceipt(response)).toMatchObject({ asset: world.usdcAlt.address, status: 'settled' })
})
