// Our paying fetch against `@x402/express` with the reference facilitator in-process, on anvil,
// through Permit2: `exact` on a token without EIP-3009, and `upto`, where the handler reports what
// each call used with the reference's `setSettlementOverrides` and the payee receives exactly that.

import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import type { SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactFacilitator } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactServer } from '@x402/evm/exact/server'
import { UptoEvmScheme as UptoFacilitator } from '@x402/evm/upto/facilitator'
import { UptoEvmScheme as UptoServer } from '@x402/evm/upto/server'
import { paymentMiddleware, setSettlementOverrides, x402ResourceServer } from '@x402/express'
import express from 'express'
import { type Address, type Hex, publicActions } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { balanceOf, plainAsset } from './fixtures.js'

const devnet = useDevnet({ accounts: 3 })
let url: string
let close: () => Promise<void>
let payee: Address
const usage: { next: bigint | undefined } = { next: undefined }

beforeAll(async () => {
  const [payer, second, operator] = devnet.accounts
  payee = second!.address
  await devnet.approvePermit2(payer!.address, 'plain')
  const client = devnet.walletClient(operator!.account).extend(publicActions)
  const signer = toFacilitatorEvmSigner({
    address: operator!.address,
    readContract: (args) => client.readContract(args as never),
    verifyTypedData: (args) => client.verifyTypedData(args as never),
    writeContract: (args) => client.writeContract(args as never),
    sendTransaction: (args) => client.sendTransaction(args as never),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
    getCode: (args) => client.getCode(args),
  })
  const facilitator = new x402Facilitator()
    .register(devnet.network, new ExactFacilitator(signer))
    .register(devnet.network, new UptoFacilitator(signer))
  const server = new x402ResourceServer({
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: (payload, requirements) => facilitator.settle(payload, requirements),
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  })
    .register(devnet.network, new ExactServer())
    .register(devnet.network, new UptoServer())
  const { address, name, version } = devnet.plainToken
  const price = (amount: string) => ({
    amount,
    asset: address,
    extra: { name, version, assetTransferMethod: 'permit2' },
  })
  const app = express()
  app.use(
    paymentMiddleware(
      {
        'GET /report': {
          accepts: { scheme: 'exact', network: devnet.network, payTo: payee, price: price('2500') },
          description: 'Report',
        },
        'POST /generate': {
          accepts: { scheme: 'upto', network: devnet.network, payTo: payee, price: price('5000') },
          description: 'Generate',
        },
      },
      server,
    ),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid' })
  })
  app.post('/generate', (_req, res) => {
    if (usage.next !== undefined) setSettlementOverrides(res, { amount: usage.next.toString() })
    res.json({ generated: true })
  })
  const listening = await listen(app)
  url = listening.url
  close = listening.close
})

afterAll(async () => {
  await close?.()
})

describe('our fetch pays @x402/express (reference facilitator) through Permit2', () => {
  test('exact: three calls on a token without EIP-3009, three transfers of exactly 2500', async () => {
    const payer = devnet.accounts[0]!
    const pay = wrapFetch({ account: payer.account, assets: [plainAsset(devnet)] })
    const before = await balanceOf(devnet, payee)
    const transactions = new Set<string>()
    for (let call = 1; call <= 3; call++) {
      const response = await pay(`${url}/report`)
      expect(response.status).toBe(200)
      const receipt = getReceipt(response)!
      expect(receipt).toMatchObject({ status: 'settled', amount: 2_500n, payTo: payee })
      const onChain = await devnet.publicClient.getTransactionReceipt({
        hash: receipt.transaction as Hex,
      })
      expect(onChain.status).toBe('success')
      transactions.add(receipt.transaction!)
      expect((await balanceOf(devnet, payee)) - before).toBe(2_500n * BigInt(call))
    }
    expect(transactions.size).toBe(3)
  })

  test('upto: the payee receives exactly what each of three calls used', async () => {
    const payer = devnet.accounts[0]!
    const pay = wrapFetch({ account: payer.account, assets: [plainAsset(devnet)] })
    const before = await balanceOf(devnet, payee)
    let received = 0n
    for (const amount of [321n, 4_000n, 5_000n]) {
      usage.next = amount
      const response = await pay(`${url}/generate`, { method: 'POST' })
      expect(response.status).toBe(200)
      const receipt = getReceipt(response)!
      // The receipt keeps what was charged; the signed maximum stays in `accepted`.
      expect(receipt).toMatchObject({ status: 'settled', amount })
      expect(receipt.accepted.scheme).toBe('upto')
      expect(receipt.settlement?.amount).toBe(amount.toString())
      received += amount
      expect((await balanceOf(devnet, payee)) - before).toBe(received)
    }
  })
})
