import {
  type PaymentRequirements,
  reasons,
  requirementsToV1,
  supportedResponseSchema,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, type Hex } from 'viem'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { Asset } from './assets.js'
import { createLocalFacilitator } from './createLocalFacilitator.js'
import { createPaymentPayload } from './createPaymentPayload.js'

const devnet = useDevnet({ accounts: 4 })

let payTo: Address
let requirements: PaymentRequirements
let assets: Asset[]

beforeAll(() => {
  payTo = devnet.accounts[1]!.address
  requirements = {
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.usdc.address,
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name: devnet.usdc.name, version: devnet.usdc.version },
  }
  assets = [devnet.usdc]
})
afterEach(() => devnet.testClient.setAutomine(true))

function facilitatorWith(
  options: { receiptTimeoutMs?: number; now?: () => number } = {},
): FacilitatorClient {
  return createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets,
    ...options,
  })
}

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

async function request() {
  const paymentPayload = await createPaymentPayload(devnet.accounts[0]!.account, { requirements })
  return { paymentPayload, paymentRequirements: requirements }
}

describe('createLocalFacilitator', () => {
  test('supported: exact and upto v2 on the chain, the modes it honours, the settlement wallet as signer (and upto facilitator)', async () => {
    const supported = await facilitatorWith().supported()
    expect(supportedResponseSchema.parse(supported)).toEqual({
      kinds: [
        {
          x402Version: 2,
          scheme: 'exact',
          network: devnet.network,
          extra: { settlementModes: ['confirmed', 'submitted'] },
        },
        {
          x402Version: 2,
          scheme: 'upto',
          network: devnet.network,
          extra: {
            settlementModes: ['confirmed', 'submitted'],
            facilitatorAddress: devnet.accounts[2]!.address,
          },
        },
      ],
      extensions: [],
      signers: { 'eip155:*': [devnet.accounts[2]!.address] },
    })
  })

  test('verify passes reasons through; settle re-verifies before sending anything', async () => {
    const facilitator = facilitatorWith()
    const valid = await request()
    expect(await facilitator.verify(valid)).toMatchObject({ isValid: true })
    const wrongAmount = { ...valid, paymentRequirements: { ...requirements, amount: '999' } }
    expect(await facilitator.verify(wrongAmount)).toMatchObject({
      isValid: false,
      invalidReason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    })
    expect(await facilitator.settle(wrongAmount)).toMatchObject({
      success: false,
      transaction: '',
      errorReason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    })
  })

  test('confirmed: waits for the receipt; a second settle of the same authorization sends nothing', async () => {
    const facilitator = facilitatorWith()
    const pair = await request()
    const before = await balanceOf(payTo)
    const settled = await facilitator.settle(pair)
    expect(settled).toMatchObject({ success: true, network: devnet.network })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settled.transaction as Hex,
    })
    expect(receipt.status).toBe('success')
    expect(await facilitator.settle(pair)).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmNonceAlreadyUsed,
      transaction: '',
    })
    expect(await balanceOf(payTo)).toBe(before + 1000n)
  })

  test('submitted: answers once broadcast, before the block', async () => {
    const facilitator = facilitatorWith()
    const pair = await request()
    const before = await balanceOf(payTo)
    await devnet.testClient.setAutomine(false)
    const submitted = await facilitator.settle({ ...pair, settlement: 'submitted' })
    expect(submitted.success).toBe(true)
    await expect(
      devnet.publicClient.getTransactionReceipt({ hash: submitted.transaction as Hex }),
    ).rejects.toThrow()
    expect(await balanceOf(payTo)).toBe(before)
    await devnet.testClient.mine({ blocks: 1 })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: submitted.transaction as Hex,
    })
    expect(receipt.status).toBe('success')
    expect(await balanceOf(payTo)).toBe(before + 1000n)
  })

  test('the injected clock (milliseconds) is the clock of verification and settlement', async () => {
    const pair = await request()
    const validBefore = Number(
      (pair.paymentPayload.payload as { authorization: { validBefore: string } }).authorization
        .validBefore,
    )
    const late = facilitatorWith({ now: () => (validBefore + 1) * 1000 })
    expect(await late.verify(pair)).toMatchObject({
      isValid: false,
      invalidReason: reasons.invalidExactEvmPayloadAuthorizationValidBefore,
    })
    expect(await late.settle(pair)).toMatchObject({
      success: false,
      transaction: '',
      errorReason: reasons.invalidExactEvmPayloadAuthorizationValidBefore,
    })
  })

  test('queued: not listed (no queue in-process); asked anyway, it answers once broadcast, like submitted', async () => {
    const facilitator = facilitatorWith()
    const pair = await request()
    await devnet.testClient.setAutomine(false)
    const queued = await facilitator.settle({ ...pair, settlement: 'queued' })
    expect(queued.success).toBe(true)
    await expect(
      devnet.publicClient.getTransactionReceipt({ hash: queued.transaction as Hex }),
    ).rejects.toThrow()
    await devnet.testClient.mine({ blocks: 1 })
    expect(
      (await devnet.publicClient.getTransactionReceipt({ hash: queued.transaction as Hex })).status,
    ).toBe('success')
  })

  test('a receipt that does not come in time: settlement_pending, then reconciled without resending', async () => {
    const facilitator = facilitatorWith({ receiptTimeoutMs: 300 })
    const pair = await request()
    const before = await balanceOf(payTo)
    await devnet.testClient.setAutomine(false)
    const pending = await facilitator.settle(pair)
    expect(pending).toMatchObject({ success: false, errorReason: reasons.settlementPending })
    expect(pending.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    // Asking again while the transaction is still unmined: the same hash, nothing new sent.
    const again = await facilitator.settle(pair)
    expect(again).toMatchObject({
      errorReason: reasons.settlementPending,
      transaction: pending.transaction,
    })
    const mempool = await devnet.testClient.getTxpoolContent()
    const queued = Object.values(mempool.pending).flatMap((byNonce) => Object.values(byNonce))
    expect(queued).toHaveLength(1)
    await devnet.testClient.mine({ blocks: 1 })
    expect(await facilitator.settle(pair)).toMatchObject({
      success: true,
      transaction: pending.transaction,
    })
    expect(await balanceOf(payTo)).toBe(before + 1000n)
  })

  test('concurrent settlements from one wallet: one broadcast at a time, no nonce clash', async () => {
    const facilitator = facilitatorWith()
    const pairs = await Promise.all(Array.from({ length: 8 }, request))
    const before = await balanceOf(payTo)
    const results = await Promise.all(pairs.map((pair) => facilitator.settle(pair)))
    expect(results.map((result) => result.success)).toEqual(Array(8).fill(true))
    expect(new Set(results.map((result) => result.transaction)).size).toBe(8)
    expect(await balanceOf(payTo)).toBe(before + 8000n)
  })

  test('a v1 pair is normalised and settled', async () => {
    const facilitator = facilitatorWith()
    const v1Requirements = requirementsToV1(requirements, { url: 'http://127.0.0.1/r' })
    const paymentPayload = await createPaymentPayload(devnet.accounts[0]!.account, {
      requirements: v1Requirements,
    })
    const pair = { paymentPayload, paymentRequirements: v1Requirements }
    expect(await facilitator.verify(pair)).toMatchObject({ isValid: true })
    const before = await balanceOf(payTo)
    expect(await facilitator.settle(pair)).toMatchObject({ success: true })
    expect(await balanceOf(payTo)).toBe(before + 1000n)
  })
})
