// One millisecond clock for the paywall: `now` reaches the idempotency cache and the replay guard,
// so their lifetimes are driven by the test, not waited for.

import { decodePaymentRequiredHeader, encodePaymentSignatureHeader, reasons } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { paywallReasons } from '@tollgate/paywall'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createPaywall } from './createPaywall.js'

const devnet = useDevnet({ accounts: 3 })

let server: Awaited<ReturnType<typeof listen>>
let clock = Date.now()
let runs = 0

beforeAll(async () => {
  const app = express()
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(devnet.accounts[2]!.account),
        assets: [devnet.usdc],
      }),
      {
        assets: [devnet.usdc],
        now: () => clock,
        idempotency: { ttlSeconds: 60 },
        logger: false,
        routes: {
          'GET /r': { price: '$0.01', payTo: devnet.accounts[1]!.address, network: devnet.network },
        },
      },
    ),
  )
  app.get('/r', (_req, res) => {
    runs++
    res.send(`run ${runs}`)
  })
  server = await listen(app)
})
afterAll(() => server?.close())

const reasonOf = (response: Response) =>
  decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!).error

test('a stored response lives ttlSeconds and a reservation until validBefore, on the injected clock', async () => {
  const challenge = await fetch(`${server.url}/r`)
  const id = `pay_${crypto.randomUUID().replace(/-/g, '')}`
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
    paymentRequired: decodePaymentRequiredHeader(challenge.headers.get('PAYMENT-REQUIRED')!),
    extensions: { 'payment-identifier': { info: { required: false, id } } },
  })
  const send = () =>
    fetch(`${server.url}/r`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
    })
  expect((await send()).status).toBe(200)

  clock += 59_000
  const replayed = await send()
  expect(replayed.status).toBe(200)
  expect(await replayed.text()).toBe('run 1')

  // Past the TTL the stored response is gone; the reservation (until validBefore, 300 s) holds.
  clock += 2_000
  const reserved = await send()
  expect(reserved.status).toBe(402)
  expect(reasonOf(reserved)).toBe(paywallReasons.duplicateSettlement)

  // Past validBefore the guard forgets it too: the facilitator is asked, and the nonce is spent.
  clock += 300_000
  const spent = await send()
  expect(spent.status).toBe(402)
  expect(reasonOf(spent)).toBe(reasons.invalidExactEvmNonceAlreadyUsed)
  expect(runs).toBe(1)
})
