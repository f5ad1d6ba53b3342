// `@x402/fetch` (v2) pays a Tollgate paywall through Permit2 on anvil: `exact` on a token without
// EIP-3009, and `upto`, where the payee receives exactly what each call used.

import { useDevnet } from '@tollgate/test'
import { decodePaymentResponseHeader } from '@x402/core/http'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { UptoEvmScheme } from '@x402/evm/upto/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { balanceOf, tollgateApi } from './fixtures.js'

const devnet = useDevnet({ accounts: 3 })
let api: Awaited<ReturnType<typeof tollgateApi>>
let payTo: Address

beforeAll(async () => {
  payTo = devnet.accounts[1]!.address
  await devnet.approvePermit2(devnet.accounts[0]!.address, 'plain')
  api = await tollgateApi(devnet, { payTo, operator: 2 })
})
afterAll(() => api?.server.close())

function referenceFetch() {
  const payer = devnet.accounts[0]!.account
  const client = new x402Client()
    .register(devnet.network, new ExactEvmScheme(payer))
    .register(devnet.network, new UptoEvmScheme(payer))
    .setSpendControls({
      allowedAssets: [{ network: devnet.network, asset: devnet.plainToken.address }],
    })
  return wrapFetchWithPayment(fetch, client)
}

describe('@x402/fetch pays a Tollgate server through Permit2', () => {
  test('exact: a token without EIP-3009, three calls, three transfers of exactly 0.0025', async () => {
    const pay = referenceFetch()
    const payer = devnet.accounts[0]!.address
    const before = { payee: await balanceOf(devnet, payTo), payer: await balanceOf(devnet, payer) }
    const transactions = new Set<string>()
    for (let call = 1; call <= 3; call++) {
      const response = await pay(`${api.server.url}/report`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ report: 'paid', run: call })
      const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, payer })
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: settlement.transaction as Hex,
      })
      expect(receipt.to?.toLowerCase()).toBe(devnet.permit2.exactProxy.toLowerCase())
      transactions.add(settlement.transaction)
      expect(await balanceOf(devnet, payTo)).toBe(before.payee + 2_500n * BigInt(call))
    }
    expect(transactions.size).toBe(3)
    expect(await balanceOf(devnet, payer)).toBe(before.payer - 7_500n)
  })

  test('upto: three calls charge exactly what each used, never above the maximum', async () => {
    const pay = referenceFetch()
    const before = await balanceOf(devnet, payTo)
    const used = [1_234n, 4_999n, 1n]
    let received = 0n
    for (const amount of used) {
      api.usage.next = amount
      const response = await pay(`${api.server.url}/generate`, { method: 'POST' })
      expect(response.status).toBe(200)
      expect(response.headers.get('settlement-overrides')).toBeNull()
      const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, amount: amount.toString() })
      received += amount
      expect((await balanceOf(devnet, payTo)) - before).toBe(received)
    }
    // Reported above the maximum: the maximum (5000) is charged, never more.
    api.usage.next = 9_000n
    const capped = await pay(`${api.server.url}/generate`, { method: 'POST' })
    expect(decodePaymentResponseHeader(capped.headers.get('PAYMENT-RESPONSE')!).amount).toBe('5000')
    expect((await balanceOf(devnet, payTo)) - before).toBe(received + 5_000n)
    // Nothing used: nothing charged, no transaction.
    api.usage.next = 0n
    const free = await pay(`${api.server.url}/generate`, { method: 'POST' })
    expect(free.status).toBe(200)
    expect(decodePaymentResponseHeader(free.headers.get('PAYMENT-RESPONSE')!)).toMatchObject({
      success: true,
      transaction: '',
      amount: '0',
    })
    expect((await balanceOf(devnet, payTo)) - before).toBe(received + 5_000n)
  })
})
