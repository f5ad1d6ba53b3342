// The Permit2 allowance a payer needs: without `approve(Permit2, ...)` a Permit2 payment is
// refused before the handler runs (HTTP 412, `permit2_allowance_required`, as the reference
// answers) and nothing moves; `approvePermit2` (`@tollgate/evm`) sends the one-time approval,
// `readPermit2Allowance` reads it, and the same payer then pays. `@x402/fetch` gets the same 412.

import { decodePaymentRequiredHeader } from '@tollgate/core'
import { approvePermit2, permit2Address, readPermit2Allowance } from '@tollgate/evm'
import { createPolicy, getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import { maxUint256 } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { balanceOf, plainAsset, tollgateApi } from './fixtures.js'

const devnet = useDevnet({ accounts: 4 })
let api: Awaited<ReturnType<typeof tollgateApi>>

beforeAll(async () => {
  api = await tollgateApi(devnet, { payTo: devnet.accounts[1]!.address, operator: 2 })
})
afterAll(() => api?.server.close())

test('without the approval: 412 permit2_allowance_required, no handler run, nothing moved; approvePermit2 then lets the payer pay', async () => {
  const payer = devnet.accounts[0]!
  const token = devnet.plainToken.address
  const payTo = devnet.accounts[1]!.address
  expect(await readPermit2Allowance(devnet.publicClient, { token, owner: payer.address })).toBe(0n)
  const policy = createPolicy({ budgets: [{ limit: '$0.01', windowMs: 3_600_000 }] })
  const pay = wrapFetch({ account: payer.account, assets: [plainAsset(devnet)], policy })
  const before = await balanceOf(devnet, payTo)

  const refused = await pay(`${api.server.url}/report`)
  expect(refused.status).toBe(412)
  expect(decodePaymentRequiredHeader(refused.headers.get('PAYMENT-REQUIRED')!)).toMatchObject({
    error: 'permit2_allowance_required',
  })
  // Without a chain to ask, the payer cannot prove the permit unspent: it stays held.
  expect(getReceipt(refused)).toMatchObject({ status: 'indeterminate', responseStatus: 412 })
  expect(policy.usage()[0]!.reserved).toBeGreaterThan(0n)
  expect(api.runs.report).toBe(0)
  expect(await balanceOf(devnet, payTo)).toBe(before)

  const { transaction } = await approvePermit2(devnet.walletClient(payer.account), { token })
  expect(
    (await devnet.publicClient.getTransactionReceipt({ hash: transaction })).to?.toLowerCase(),
  ).toBe(token.toLowerCase())
  expect(await readPermit2Allowance(devnet.publicClient, { token, owner: payer.address })).toBe(
    maxUint256,
  )
  const paid = await pay(`${api.server.url}/report`)
  expect(paid.status).toBe(200)
  expect(getReceipt(paid)).toMatchObject({ status: 'settled', amount: 2_500n })
  expect((await balanceOf(devnet, payTo)) - before).toBe(2_500n)
  // Permit2 spent only what the permit named: the approval is still unlimited.
  expect(await readPermit2Allowance(devnet.publicClient, { token, owner: payer.address })).toBe(
    maxUint256,
  )
  expect(permit2Address).toBe('0x000000000022D473030F116dDEE9F6B43aC78BA3')
})

test("with the chain to ask, a 412 is proven by Permit2's nonce bitmap: refused, the budget given back", async () => {
  const payer = devnet.accounts[2]!
  const policy = createPolicy({ budgets: [{ limit: '$0.01', windowMs: 3_600_000 }] })
  const pay = wrapFetch({
    account: payer.account,
    assets: [plainAsset(devnet)],
    policy,
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
  })
  const refused = await pay(`${api.server.url}/report`)
  expect(refused.status).toBe(412)
  expect(getReceipt(refused)).toMatchObject({
    status: 'refused',
    payer: payer.address,
    reconciled: { by: 'chain', finding: 'unspent-valid' },
  })
  expect(policy.usage()[0]).toMatchObject({ used: '0', reserved: 0n })
})

test('approvePermit2 on an address without a token: ApprovePermit2FailedError naming the token', async () => {
  const token = '0x00000000000000000000000000000000000000aa'
  await expect(
    approvePermit2(devnet.walletClient(devnet.accounts[2]!.account), { token }),
  ).rejects.toMatchObject({ name: 'ApprovePermit2FailedError', token })
})

test('@x402/fetch without the approval: the same 412, no handler run, nothing moved', async () => {
  const payer = devnet.accounts[3]!.account
  const client = new x402Client()
    .register(devnet.network, new ExactEvmScheme(payer))
    .setSpendControls({
      allowedAssets: [{ network: devnet.network, asset: devnet.plainToken.address }],
    })
  const pay = wrapFetchWithPayment(fetch, client)
  const payTo = devnet.accounts[1]!.address
  const before = await balanceOf(devnet, payTo)
  const runs = api.runs.report
  const response = await pay(`${api.server.url}/report`)
  expect(response.status).toBe(412)
  expect(decodePaymentRequiredHeader(response.headers.get('PAYMENT-REQUIRED')!)).toMatchObject({
    error: 'permit2_allowance_required',
  })
  expect(api.runs.report).toBe(runs)
  expect(await balanceOf(devnet, payTo)).toBe(before)
})
