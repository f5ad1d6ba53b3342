import type { PaymentPayload } from '@tollgate/core'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createWorld, recordingAccount } from './fixtures.js'

// Authorization lifetime: a server asking for an authorization valid for a year gets one valid for
// a few minutes. The paywall still matches `accepted` (echoed verbatim) and settles it on anvil.

const devnet = useDevnet()
let world: ReturnType<typeof createWorld>
let url: string
let close: () => Promise<void>
const year = 365 * 24 * 3600

beforeAll(async () => {
  world = createWorld(devnet)
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(world.operator.account),
    assets: [world.usdc],
  })
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [world.usdc],
      routes: {
        'GET /report': {
          price: '$0.01',
          payTo: world.payee.address,
          network: devnet.network,
          maxTimeoutSeconds: year,
        },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  const server = await listen(app)
  url = server.url
  close = server.close
})

afterAll(async () => {
  await close?.()
})

test('validBefore is capped at 300 s by default, whatever maxTimeoutSeconds says', async () => {
  const { account, signed } = recordingAccount(world.payer.account)
  const before = await world.balanceOf(world.payee.address)
  const start = BigInt(Math.floor(Date.now() / 1000))
  const response = await wrapFetch({ account, assets: [world.usdc] })(`${url}/report`)
  const end = BigInt(Math.ceil(Date.now() / 1000))
  expect(response.status).toBe(200)
  expect(signed).toHaveLength(1)
  const { validBefore } = signed[0]!
  expect(validBefore >= start + 300n && validBefore <= end + 300n).toBe(true)
  // The server's requirement is echoed as it was sent: a year.
  const receipt = getReceipt(response)!
  expect((receipt.signed as PaymentPayload).accepted.maxTimeoutSeconds).toBe(year)
  expect(receipt.status).toBe('settled')
  expect((await world.balanceOf(world.payee.address)) - before).toBe(10_000n)
})

test('the cap is configurable', async () => {
  const { account, signed } = recordingAccount(world.payer.account)
  const start = BigInt(Math.floor(Date.now() / 1000))
  const pay = wrapFetch({ account, assets: [world.usdc], policy: { maxAuthorizationSeconds: 30 } })
  expect((await pay(`${url}/report`)).status).toBe(200)
  const end = BigInt(Math.ceil(Date.now() / 1000))
  const { validBefore } = signed[0]!
  expect(validBefore >= start + 30n && validBefore <= end + 30n).toBe(true)
})
