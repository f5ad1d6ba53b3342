import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import type { Receipt } from '@tollgate/fetch'
import { createPolicy, getReceipt, wrapFetch } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi, type Hex } from 'viem'
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'

// Our fetch against our paywall on anvil: every paid call moves the payee's balance exactly once.

const devnet = useDevnet({ accounts: 3 })

let url: string
let close: () => Promise<void>
let usdc: Asset
let payer: (typeof devnet.accounts)[number]
let payee: Address
/** Payment headers the server received, in order (`undefined` for unpaid requests). */
let payments: (string | undefined)[]
let price = '$0.01'

beforeAll(async () => {
  const [first, second, operator] = devnet.accounts
  payer = first!
  payee = second!.address
  usdc = devnet.usdc
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(operator!.account),
    assets: [usdc],
  })
  const app = express()
  app.use((req, _res, next) => {
    payments.push(req.headers['payment-signature'] as string | undefined)
    next()
  })
  app.use(express.json())
  app.use(
    createPaywall(facilitator, {
      assets: [usdc],
      routes: {
        'GET /report': { price: () => price, payTo: payee, network: devnet.network },
        'POST /search': { price: '$0.02', payTo: payee, network: devnet.network },
        'GET /broken': { price: '$0.01', payTo: payee, network: devnet.network },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  app.post('/search', (req, res) => {
    res.json({ echo: req.body })
  })
  app.get('/broken', (_req, res) => {
    res.status(500).json({ error: 'handler failed' })
  })
  const server = await listen(app)
  url = server.url
  close = server.close
})

afterAll(async () => {
  await close?.()
})

beforeEach(() => {
  payments = []
  price = '$0.01'
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

async function expectSettledOnChain(receipt: Receipt | undefined) {
  expect(receipt?.status).toBe('settled')
  const onChain = await devnet.publicClient.getTransactionReceipt({
    hash: receipt!.transaction as Hex,
  })
  expect(onChain.status).toBe('success')
}

test('pays a v2 challenge once, with a wallet client as the account', async () => {
  const pay = wrapFetch({ account: devnet.walletClient(payer.account), assets: [usdc] })
  const [payeeBefore, payerBefore] = [await balanceOf(payee), await balanceOf(payer.address)]
  const response = await pay(`${url}/report`)
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({ report: 'paid content' })
  expect(payments.map(Boolean)).toEqual([false, true])
  expect((await balanceOf(payee)) - payeeBefore).toBe(10_000n)
  expect(payerBefore - (await balanceOf(payer.address))).toBe(10_000n)
  const receipt = getReceipt(response)
  await expectSettledOnChain(receipt)
  expect(receipt).toMatchObject({
    amount: 10_000n,
    payTo: payee,
    payer: payer.address,
    x402Version: 2,
  })
})

test('a JSON POST is replayed with its body and paid once', async () => {
  const pay = wrapFetch({ account: payer.account, assets: [usdc] })
  const before = await balanceOf(payee)
  const response = await pay(`${url}/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ q: 'tolls', page: 2 }),
  })
  expect(await response.json()).toEqual({ echo: { q: 'tolls', page: 2 } })
  expect((await balanceOf(payee)) - before).toBe(20_000n)
  await expectSettledOnChain(getReceipt(response))
})

test('pre-emptive payment: a repeat call pays on its first request, one transfer per call', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-e2e-'))
  try {
    const path = join(dir, 'receipts.jsonl')
    const pay = wrapFetch({
      account: payer.account,
      assets: [usdc],
      preemptive: true,
      receipts: createFileReceiptLog(path),
    })
    const before = await balanceOf(payee)
    for (let i = 0; i < 3; i++) expect((await pay(`${url}/report`)).status).toBe(200)
    // One 402 round trip for the first call, none after.
    expect(payments.map(Boolean)).toEqual([false, true, true, true])
    expect((await balanceOf(payee)) - before).toBe(30_000n)
    // The receipt log, read back from disk, lists the three payments.
    const receipts = await createFileReceiptLog(path).list()
    expect(receipts.map((r) => [r.status, r.preemptive, r.amount])).toEqual([
      ['settled', false, 10_000n],
      ['settled', true, 10_000n],
      ['settled', true, 10_000n],
    ])
    for (const receipt of receipts) await expectSettledOnChain(receipt)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('pre-emptive payment refused (the price changed): the call pays once, at the new price', async () => {
  const policy = createPolicy({ budgets: [{ limit: '$0.03' }] })
  const receipts: Receipt[] = []
  const pay = wrapFetch({
    account: payer.account,
    assets: [usdc],
    preemptive: true,
    policy,
    // The chain proves the refused authorization unspent: only then is it replaced.
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    onReceipt: (receipt) => {
      receipts.push(receipt)
    },
  })
  const before = await balanceOf(payee)
  await pay(`${url}/report`)
  price = '$0.02'
  const response = await pay(`${url}/report`)
  expect(response.status).toBe(200)
  // 0.01 for the first call, 0.02 for the second; the refused pre-emptive 0.01 never settled.
  expect((await balanceOf(payee)) - before).toBe(30_000n)
  expect(receipts.map((r) => [r.preemptive, r.status, r.amount])).toEqual([
    [false, 'settled', 10_000n],
    [true, 'refused', 10_000n],
    [false, 'settled', 20_000n],
  ])
  expect(receipts[1]?.reconciled).toMatchObject({ by: 'chain', finding: 'unspent-valid' })
  // The refused authorization was released: the budget holds exactly what settled.
  expect(policy.usage()[0]).toMatchObject({ committed: 3n * 10n ** 16n, reserved: 0n })
})

test('a handler that fails is not charged; without a settlement header the receipt is indeterminate', async () => {
  const policy = createPolicy({ budgets: [{ limit: '$1' }] })
  const pay = wrapFetch({ account: payer.account, assets: [usdc], policy })
  const before = await balanceOf(payee)
  const response = await pay(`${url}/broken`)
  expect(response.status).toBe(500)
  expect(await balanceOf(payee)).toBe(before)
  const receipt = getReceipt(response)
  expect(receipt?.responseStatus).toBe(500)
  expect(receipt?.transaction).toBeUndefined()
  // The client cannot prove the authorization unspent (it stays valid until validBefore), so its
  // reservation is kept until it is reconciled.
  expect(receipt?.status).toBe('indeterminate')
  expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10n ** 16n })
})
