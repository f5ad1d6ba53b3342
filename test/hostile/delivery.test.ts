import diagnostics from 'node:diagnostics_channel'
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  type PaymentPayload,
} from '@tollgate/core'
import { readAuthorizationState } from '@tollgate/evm'
import {
  createMemoryReceiptLog,
  createPolicy,
  diagnosticChannels,
  getReceipt,
  type Receipt,
  wrapFetch,
} from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import {
  createWorld,
  paymentRequired,
  recordingAccount,
  useServers,
  withSettlement,
} from './fixtures.js'

// Delivery: a server that takes the payment (settling it on anvil) and answers without a
// successful settlement header, or with an error, is recorded as disputed in the receipt log,
// with the signed authorization, so the operator can see what was paid for nothing.

const devnet = useDevnet()
const serve = useServers()
let world: ReturnType<typeof createWorld>
let disputes: Receipt[]
const onDispute = (message: unknown) =>
  void disputes.push((message as { receipt: Receipt }).receipt)

beforeAll(() => {
  world = createWorld(devnet)
})
beforeEach(() => {
  disputes = []
  diagnostics.subscribe(diagnosticChannels.dispute, onDispute)
})
afterEach(() => {
  diagnostics.unsubscribe(diagnosticChannels.dispute, onDispute)
})

/** Settles the payment on-chain, then answers with `answer`. */
function takingServer(answer: () => Response) {
  return serve(async (exchange) => {
    if (!exchange.payment) return paymentRequired(exchange.url, [world.option()])
    await world.settle(exchange.payment)
    return answer()
  })
}

async function nonceSpent(receipt: Receipt) {
  const { from, nonce } = (
    receipt.signed.payload as { authorization: { from: `0x${string}`; nonce: `0x${string}` } }
  ).authorization
  return readAuthorizationState(devnet.publicClient, {
    asset: world.usdc.address,
    authorizer: from,
    nonce,
  })
}

test('settled on-chain, answered without a settlement header: disputed, kept in the budget', async () => {
  const server = await takingServer(() => new Response('here is something'))
  const { account, signed } = recordingAccount(world.payer.account)
  const log = createMemoryReceiptLog()
  const policy = createPolicy({ budgets: [{ limit: '$1' }] })
  const response = await wrapFetch({ account, assets: [world.usdc], policy, receipts: log })(
    server.url,
  )
  expect(await response.text()).toBe('here is something')
  const [receipt] = await log.list()
  expect(receipt).toMatchObject({
    status: 'indeterminate',
    disputed: 'settlement-missing',
    responseStatus: 200,
    settlement: undefined,
  })
  // The log keeps what was signed: the same authorization the server settled.
  expect((receipt!.signed as PaymentPayload).payload).toMatchObject({
    authorization: { nonce: signed[0]!.nonce, value: '10000', to: world.payee.address },
  })
  expect(await nonceSpent(receipt!)).toBe(true)
  expect(disputes).toEqual([receipt])
  expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10n ** 16n })
})

test('settled on-chain, said to have failed: disputed', async () => {
  const server = await takingServer(() =>
    withSettlement(
      {
        success: false,
        errorReason: 'unexpected_settle_error',
        transaction: '',
        network: devnet.network,
      },
      'content anyway',
    ),
  )
  const { account } = recordingAccount(world.payer.account)
  const response = await wrapFetch({ account, assets: [world.usdc] })(server.url)
  const receipt = getReceipt(response)!
  expect(receipt).toMatchObject({ status: 'indeterminate', disputed: 'settlement-failed' })
  expect(receipt.settlement?.errorReason).toBe('unexpected_settle_error')
  expect(await nonceSpent(receipt)).toBe(true)
})

test('a settlement header that does not decode: disputed', async () => {
  const server = await takingServer(
    () => new Response('ok', { headers: { 'PAYMENT-RESPONSE': 'not base64!' } }),
  )
  const { account } = recordingAccount(world.payer.account)
  const response = await wrapFetch({ account, assets: [world.usdc] })(server.url)
  expect(getReceipt(response)).toMatchObject({
    status: 'indeterminate',
    disputed: 'settlement-unreadable',
  })
})

test('settled, then answered with an error: settled and disputed as not delivered', async () => {
  const server = await serve(async (exchange) => {
    if (!exchange.payment) return paymentRequired(exchange.url, [world.option()])
    const settlement = await world.settle(exchange.payment)
    return withSettlement(settlement, 'internal error', 500)
  })
  const { account } = recordingAccount(world.payer.account)
  const response = await wrapFetch({ account, assets: [world.usdc] })(server.url)
  expect(response.status).toBe(500)
  expect(getReceipt(response)).toMatchObject({ status: 'settled', disputed: 'not-delivered' })
})

test('the connection dropped after the payment was taken: disputed as no response', async () => {
  const server = await listen((req, res) => {
    const signature = req.headers['payment-signature']
    if (typeof signature === 'string') {
      // Take the payment, then hang up.
      void world.settle(decodePaymentSignatureHeader(signature)).then(() => req.socket.destroy())
      return
    }
    const url = `http://${req.headers.host}${req.url}`
    res.writeHead(402, {
      'PAYMENT-REQUIRED': encodePaymentRequiredHeader({
        x402Version: 2,
        resource: { url },
        accepts: [world.option()],
      }),
    })
    res.end('{}')
  })
  try {
    const { account } = recordingAccount(world.payer.account)
    const log = createMemoryReceiptLog()
    await expect(
      wrapFetch({ account, assets: [world.usdc], receipts: log })(server.url),
    ).rejects.toThrow()
    const [receipt] = await log.list()
    expect(receipt).toMatchObject({ status: 'indeterminate', disputed: 'no-response' })
    expect(await nonceSpent(receipt!)).toBe(true)
  } finally {
    await server.close()
  }
})
