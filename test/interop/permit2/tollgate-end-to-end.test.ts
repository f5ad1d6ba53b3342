// Ours end to end through Permit2 on anvil: our paying fetch, our paywall, our in-process
// facilitator. `exact` on a token without EIP-3009, `upto` charging what each call used with the
// budget keeping only what was charged, and the exactly-once guarantee under 50 concurrent sends of
// one payment, for both schemes.

import { encodePaymentSignatureHeader, type PaymentRequired } from '@tollgate/core'
import { createPaymentPayload } from '@tollgate/evm'
import { createMemoryReceiptLog, createPolicy, getReceipt, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { balanceOf, plainAsset, tollgateApi } from './fixtures.js'

const devnet = useDevnet({ accounts: 3 })
let api: Awaited<ReturnType<typeof tollgateApi>>
let payTo: Address

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  await devnet.approvePermit2(devnet.accounts[0]!.address, 'plain')
  api = await tollgateApi(devnet, { payTo, operator: 2 })
})
afterAll(() => api?.server.close())

/** Counts the token's transfers to the payee in the blocks since `fromBlock`. */
async function transfersTo(fromBlock: bigint) {
  const logs = await devnet.publicClient.getContractEvents({
    address: devnet.plainToken.address,
    abi: [
      {
        type: 'event',
        name: 'Transfer',
        inputs: [
          { name: 'from', type: 'address', indexed: true },
          { name: 'to', type: 'address', indexed: true },
          { name: 'value', type: 'uint256', indexed: false },
        ],
      },
    ] as const,
    eventName: 'Transfer',
    args: { to: payTo },
    fromBlock,
  })
  return logs.length
}

describe('our fetch, our paywall, our facilitator, through Permit2', () => {
  test('exact: a token without EIP-3009 is paid three times, 2500 each; the receipt names the payer', async () => {
    const pay = wrapFetch({ account: devnet.accounts[0]!.account, assets: [plainAsset(devnet)] })
    const before = await balanceOf(devnet, payTo)
    for (let call = 1; call <= 3; call++) {
      const response = await pay(`${api.server.url}/report`)
      expect(response.status).toBe(200)
      // The payer is the permit's owner (it was '' for Permit2 payments before).
      expect(getReceipt(response)).toMatchObject({
        status: 'settled',
        amount: 2_500n,
        payer: devnet.accounts[0]!.address,
      })
    }
    expect((await balanceOf(devnet, payTo)) - before).toBe(7_500n)
  })

  test('upto: three calls charge what each used, zero charges nothing; the receipt log and the budget keep the charge', async () => {
    const policy = createPolicy({ budgets: [{ limit: '$0.02', windowMs: 3_600_000 }] })
    const receipts = createMemoryReceiptLog()
    const pay = wrapFetch({
      account: devnet.accounts[0]!.account,
      assets: [plainAsset(devnet)],
      policy,
      receipts,
    })
    const before = await balanceOf(devnet, payTo)
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    let charged = 0n
    for (const amount of [1_000n, 2_345n, 10n, 0n]) {
      api.usage.next = amount
      const response = await pay(`${api.server.url}/generate`, { method: 'POST' })
      expect(response.status).toBe(200)
      const receipt = getReceipt(response)!
      expect(receipt).toMatchObject({ status: 'settled', amount })
      expect(receipt.settlement?.amount).toBe(amount.toString())
      expect(receipt.accepted.amount).toBe('5000')
      charged += amount
      expect((await balanceOf(devnet, payTo)) - before).toBe(charged)
    }
    // Three transfers: the zero charge sent no transaction.
    expect(await transfersTo(fromBlock)).toBe(3)
    const settled = (await receipts.list()).filter((receipt) => receipt.status === 'settled')
    expect(settled.map((receipt) => receipt.amount)).toEqual([1_000n, 2_345n, 10n, 0n])
    // 3355 atomic units of a 6-decimal token: 0.003355 of the $0.02 budget, not 4 x 0.005.
    expect(policy.usage()[0]).toMatchObject({ used: '0.003355', reserved: 0n })
  })
})

describe('exactly once: 50 concurrent sends of one payment', () => {
  async function challengeOf(path: string, method: string): Promise<PaymentRequired> {
    const response = await fetch(`${api.server.url}${path}`, { method })
    expect(response.status).toBe(402)
    const header = response.headers.get('PAYMENT-REQUIRED')!
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as PaymentRequired
  }

  test.each([
    ['exact', '/report', 'GET', 'report'],
    ['upto', '/generate', 'POST', 'generate'],
  ] as const)('%s: one handler run, one transfer', async (_scheme, path, method, counter) => {
    api.usage.next = 777n
    const paymentRequired = await challengeOf(path, method)
    const payload = await createPaymentPayload(devnet.accounts[0]!.account, { paymentRequired })
    const header = encodePaymentSignatureHeader(payload)
    const runsBefore = api.runs[counter]
    const balanceBefore = await balanceOf(devnet, payTo)
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(`${api.server.url}${path}`, { method, headers: { 'PAYMENT-SIGNATURE': header } }),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.every((status) => status === 200 || status === 409 || status === 402)).toBe(
      true,
    )
    expect(api.runs[counter] - runsBefore).toBe(1)
    expect(await transfersTo(fromBlock)).toBe(1)
    const moved = (await balanceOf(devnet, payTo)) - balanceBefore
    expect(moved).toBe(path === '/report' ? 2_500n : 777n)
    // And once more, after the fact: the same payment buys nothing again.
    const replay = await fetch(`${api.server.url}${path}`, {
      method,
      headers: { 'PAYMENT-SIGNATURE': header },
    })
    expect(replay.status).not.toBe(200)
    expect(api.runs[counter] - runsBefore).toBe(1)
    const paid = responses.find((response) => response.status === 200)!
    const settlement = JSON.parse(
      Buffer.from(paid.headers.get('PAYMENT-RESPONSE')!, 'base64').toString('utf8'),
    ) as { transaction: Hex }
    expect(
      (await devnet.publicClient.getTransactionReceipt({ hash: settlement.transaction })).status,
    ).toBe('success')
  })
})
