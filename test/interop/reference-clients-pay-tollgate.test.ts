// The reference clients pay a Tollgate paywall on anvil: `@x402/fetch` (v2) and the legacy
// `x402-fetch` (v1, body challenge, `X-PAYMENT`). Each paid call must move the payee's on-chain
// balance exactly once, by exactly the price.

import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { listen, useDevnet } from '@tollgate/test'
import { decodePaymentResponseHeader as decodeReferenceResponse } from '@x402/core/http'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import express from 'express'
import { type Address, erc20Abi, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { decodeXPaymentResponse, wrapFetchWithPayment as wrapFetchWithPaymentV1 } from 'x402-fetch'

/** Balance reader for one token on one devnet. */
function balances(devnet: ReturnType<typeof useDevnet>, token: Address) {
  return (address: Address) =>
    devnet.publicClient.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    })
}

/** A paid API: one route, served by a Tollgate paywall with an in-process facilitator. */
async function paidApi(
  devnet: ReturnType<typeof useDevnet>,
  route: Parameters<typeof createPaywall>[1]['routes'][string],
  assets?: Asset[],
) {
  const app = express()
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(devnet.accounts[2]!.account),
        assets,
      }),
      { routes: { 'GET /weather': route }, assets },
    ),
  )
  let served = 0
  app.get('/weather', (_req, res) => {
    served++
    res.json({ weather: 'sunny', call: served })
  })
  const server = await listen(app)
  return { server, served: () => served }
}

describe('@x402/fetch (v2) pays a Tollgate server', () => {
  const devnet = useDevnet({ accounts: 3 })
  let api: Awaited<ReturnType<typeof paidApi>>
  let payTo: Address

  beforeAll(async () => {
    payTo = devnet.accounts[1]!.address
    const assets: Asset[] = [devnet.usdc]
    api = await paidApi(devnet, { price: '$0.01', payTo, network: devnet.network }, assets)
  })
  afterAll(() => api?.server.close())

  test('three paid calls: three responses, three transfers of exactly 0.01 USDC', async () => {
    const balanceOf = balances(devnet, devnet.usdc.address)
    const payer = devnet.accounts[0]!.account
    // The reference client refuses tokens it does not know (a devnet token) unless allowed.
    const client = new x402Client()
      .register('eip155:*', new ExactEvmScheme(payer))
      .setSpendControls({
        allowedAssets: [{ network: devnet.network, asset: devnet.usdc.address }],
      })
    const payingFetch = wrapFetchWithPayment(fetch, client)

    const before = { payee: await balanceOf(payTo), payer: await balanceOf(payer.address) }
    const transactions = new Set<string>()
    for (let call = 1; call <= 3; call++) {
      const response = await payingFetch(`${api.server.url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'sunny', call })
      // Our PAYMENT-RESPONSE decodes with the reference's own decoder.
      const settlement = decodeReferenceResponse(response.headers.get('PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({
        success: true,
        network: devnet.network,
        payer: payer.address,
      })
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: settlement.transaction as Hex,
      })
      expect(receipt.status).toBe('success')
      transactions.add(settlement.transaction)
      expect(await balanceOf(payTo)).toBe(before.payee + 10_000n * BigInt(call))
    }
    expect(transactions.size).toBe(3)
    expect(await balanceOf(payer.address)).toBe(before.payer - 30_000n)
    expect(api.served()).toBe(3)
  })
})

describe('legacy x402-fetch (v1) pays a Tollgate server', () => {
  // Legacy x402 knows only named networks with hard-coded USDC addresses: run anvil as Base
  // Sepolia and put the "USDC"-domain test token at Base Sepolia's USDC address.
  const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
  const devnet = useDevnet({ accounts: 3, chainId: 84532 })
  let api: Awaited<ReturnType<typeof paidApi>>
  let payTo: Address

  beforeAll(async () => {
    await devnet.placeUsdcAt(baseSepoliaUsdc, 'usdcAlt')
    payTo = devnet.accounts[1]!.address
    // "$0.01" on base-sepolia: the built-in registry gives the asset, decimals and EIP-712 domain.
    api = await paidApi(devnet, { price: '$0.01', payTo, network: 'base-sepolia' })
  })
  afterAll(() => api?.server.close())

  test('the 402 body is a v1 challenge the legacy client accepts', async () => {
    const response = await fetch(`${api.server.url}/weather`)
    expect(response.status).toBe(402)
    const body = await response.json()
    expect(body).toMatchObject({
      x402Version: 1,
      accepts: [
        {
          scheme: 'exact',
          network: 'base-sepolia',
          maxAmountRequired: '10000',
          asset: baseSepoliaUsdc,
          payTo,
          extra: { name: 'USDC', version: '2' },
        },
      ],
    })
  })

  test('three paid calls: three responses, three transfers of exactly 0.01 USDC', async () => {
    const balanceOf = balances(devnet, baseSepoliaUsdc)
    const payer = devnet.accounts[0]!
    // The legacy client signs with a viem wallet client; this one points at the devnet. (Its types
    // come from the viem copy legacy x402 depends on, hence the cast.)
    const wallet = devnet.walletClient(payer.account)
    const payingFetch = wrapFetchWithPaymentV1(
      fetch,
      wallet as unknown as Parameters<typeof wrapFetchWithPaymentV1>[1],
    )

    const before = { payee: await balanceOf(payTo), payer: await balanceOf(payer.address) }
    for (let call = 1; call <= 3; call++) {
      const response = await payingFetch(`${api.server.url}/weather`)
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ weather: 'sunny', call })
      expect(response.headers.get('PAYMENT-RESPONSE')).toBeNull()
      const settlement = decodeXPaymentResponse(response.headers.get('X-PAYMENT-RESPONSE')!)
      expect(settlement).toMatchObject({ success: true, network: 'base-sepolia' })
      expect(await balanceOf(payTo)).toBe(before.payee + 10_000n * BigInt(call))
    }
    expect(await balanceOf(payer.address)).toBe(before.payer - 30_000n)
    expect(api.served()).toBe(3)
  })
})
