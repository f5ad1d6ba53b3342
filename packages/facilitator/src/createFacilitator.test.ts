import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  pay,
  randomAddress,
  requirementsFor,
  transferOut,
} from '../test/fixtures.js'
import { createFacilitator, type Facilitator } from './createFacilitator.js'
import { FacilitatorClosedError } from './errors.js'
import { createSqliteLedger } from './ledger/createSqliteLedger.js'
import type { Ledger } from './ledger/types.js'

const devnet = useDevnet({ accounts: 8 })

let facilitator: Facilitator
let ledger: Ledger
const errors: unknown[] = []

beforeAll(async () => {
  const batchSettler = await deployBatchSettler(devnet)
  ledger = await createSqliteLedger(':memory:')
  facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: devnetAssets(devnet),
        batchSettler,
        pollingIntervalMs: 100,
      },
    ],
    signers: [devnet.accounts[7]!.account],
    mode: 'confirmed',
    settleTimeoutMs: 10_000,
    onError: (error) => errors.push(error),
  })
  await facilitator.start()
})

afterAll(async () => {
  await facilitator?.close()
  await ledger?.close()
})

describe('createFacilitator', () => {
  test('verify reserves once; settle confirms once; a retried settle answers the same', async () => {
    const payer = devnet.accounts[0]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 1_500n })
    const paymentPayload = await pay(payer.account, requirements)
    const body = { paymentPayload, paymentRequirements: requirements }

    expect(await facilitator.verify(body)).toEqual({ isValid: true, payer: payer.address })
    expect(await facilitator.verify(body)).toMatchObject({
      isValid: false,
      invalidReason: reasons.duplicateSettlement,
    })
    const settled = await facilitator.settle(body)
    expect(settled).toMatchObject({ success: true, network: devnet.network, payer: payer.address })
    expect(settled.transaction).toMatch(/^0x[0-9a-f]{64}$/)
    expect(await balanceOf(devnet, payTo)).toBe(1_500n)

    expect(await facilitator.settle(body)).toEqual(settled)
    expect(await facilitator.verify(body)).toMatchObject({
      isValid: false,
      invalidReason: reasons.invalidExactEvmNonceAlreadyUsed,
    })
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settled.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    expect(await balanceOf(devnet, payTo)).toBe(1_500n)

    const [status] = await facilitator.status({
      key: {
        chainId: devnet.chainId,
        asset: devnet.usdc.address,
        payer: payer.address,
        nonce: (paymentPayload.payload.authorization as { nonce: `0x${string}` }).nonce,
      },
    })
    expect(status).toMatchObject({
      state: 'confirmed',
      transaction: settled.transaction,
      value: 1_500n,
      blockNumber: receipt.blockNumber,
    })
    expect(status?.confirmations).toBeGreaterThanOrEqual(1n)
  })

  test('a settle asking another payee or price than the verified payment pays is refused', async () => {
    const payer = devnet.accounts[4]!
    const payTo = randomAddress()
    const elsewhere = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 700n })
    const paymentPayload = await pay(payer.account, requirements)
    expect(await facilitator.verify({ paymentPayload, paymentRequirements: requirements })).toEqual(
      {
        isValid: true,
        payer: payer.address,
      },
    )

    // The row was verified against `requirements`; these ask for something the signature does not pay.
    const otherPayee = await facilitator.settle({
      paymentPayload,
      paymentRequirements: { ...requirements, payTo: elsewhere },
    })
    expect(otherPayee).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmRecipientMismatch,
    })
    const higherPrice = await facilitator.settle({
      paymentPayload,
      paymentRequirements: { ...requirements, amount: '7000' },
    })
    expect(higherPrice).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    })

    // The payment itself still settles, once, to its payee.
    const settled = await facilitator.settle({ paymentPayload, paymentRequirements: requirements })
    expect(settled).toMatchObject({ success: true })
    expect(await balanceOf(devnet, payTo)).toBe(700n)
    // And a settled payment is not answered as paid for other terms either.
    expect(
      await facilitator.settle({
        paymentPayload,
        paymentRequirements: { ...requirements, payTo: elsewhere },
      }),
    ).toMatchObject({ success: false, errorReason: reasons.invalidExactEvmRecipientMismatch })
    expect(await balanceOf(devnet, elsewhere)).toBe(0n)
  })

  test('settle without verify; submitted and queued modes answer before the receipt', async () => {
    const payer = devnet.accounts[1]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 10n })
    const submitted = await facilitator.settle({
      paymentPayload: await pay(payer.account, requirements),
      paymentRequirements: requirements,
      settlement: 'submitted',
    })
    expect(submitted.success).toBe(true)
    expect(submitted.transaction).toMatch(/^0x[0-9a-f]{64}$/)

    const queuedPayload = await pay(payer.account, requirements, {
      paymentId: 'purchase_0123456789abcdef',
    })
    const queued = await facilitator.settle({
      paymentPayload: queuedPayload,
      paymentRequirements: requirements,
      settlement: 'queued',
    })
    expect(queued).toMatchObject({ success: true, payer: payer.address })
    // The background settler finishes the job.
    await expect
      .poll(
        async () =>
          (await facilitator.status({ paymentId: 'purchase_0123456789abcdef' }))[0]?.state,
        {
          timeout: 10_000,
        },
      )
      .toBe('confirmed')
    await expect.poll(() => balanceOf(devnet, payTo), { timeout: 10_000 }).toBe(20n)
  })

  test('invalid payments are refused with the reference reasons', async () => {
    const payer = devnet.accounts[2]!
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 100n })
    const good = await pay(payer.account, requirements)

    const wrongPayee = await facilitator.verify({
      paymentPayload: good,
      paymentRequirements: { ...requirements, payTo: randomAddress() },
    })
    expect(wrongPayee.invalidReason).toBe(reasons.invalidExactEvmRecipientMismatch)

    const forged = structuredClone(good)
    forged.payload = {
      ...forged.payload,
      authorization: { ...(forged.payload.authorization as object), value: '101' },
    }
    const badSignature = await facilitator.verify({
      paymentPayload: forged,
      paymentRequirements: { ...requirements, amount: '101' },
    })
    expect(badSignature.invalidReason).toBe(reasons.invalidExactEvmSignature)

    const unknownChain = await facilitator.verify({
      paymentPayload: good,
      paymentRequirements: { ...requirements, network: 'eip155:999999' },
    })
    expect(unknownChain.isValid).toBe(false)

    const failed = await facilitator.settle({
      paymentPayload: good,
      paymentRequirements: { ...requirements, payTo: randomAddress() },
    })
    expect(failed).toMatchObject({
      success: false,
      errorReason: reasons.invalidExactEvmRecipientMismatch,
      transaction: '',
      network: devnet.network,
    })
    expect(await balanceOf(devnet, payTo)).toBe(0n)
  })

  test('reservations count against the balance: two payments cannot spend it twice', async () => {
    const payer = devnet.accounts[3]!
    const sink = randomAddress()
    const balance = await balanceOf(devnet, payer.address)
    await transferOut(devnet, payer.account, sink, balance - 1_000n)
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 600n })
    const first = await pay(payer.account, requirements)
    const second = await pay(payer.account, requirements)
    expect(
      (await facilitator.verify({ paymentPayload: first, paymentRequirements: requirements }))
        .isValid,
    ).toBe(true)
    expect(
      await facilitator.verify({ paymentPayload: second, paymentRequirements: requirements }),
    ).toMatchObject({ isValid: false, invalidReason: reasons.invalidExactEvmInsufficientBalance })
    expect(
      (await facilitator.settle({ paymentPayload: first, paymentRequirements: requirements }))
        .success,
    ).toBe(true)
    // Settled: 400 left, still not enough for 600.
    expect(
      await facilitator.verify({ paymentPayload: second, paymentRequirements: requirements }),
    ).toMatchObject({ isValid: false, invalidReason: reasons.invalidExactEvmInsufficientBalance })
    expect(await balanceOf(devnet, payTo)).toBe(600n)
  })

  test('concurrent payments are batched into few transactions', async () => {
    const payTo = randomAddress()
    const requirements = requirementsFor(devnet, { payTo, amount: 7n })
    const payloads = await Promise.all(
      Array.from({ length: 40 }, (_, i) => pay(devnet.accounts[i % 3]!.account, requirements)),
    )
    const sentBefore = facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent
    const results = await Promise.all(
      payloads.map((paymentPayload) =>
        facilitator.settle({ paymentPayload, paymentRequirements: requirements }),
      ),
    )
    expect(results.every((r) => r.success)).toBe(true)
    expect(await balanceOf(devnet, payTo)).toBe(280n)
    const sent = facilitator.chains.get(devnet.chainId)!.settler.stats.transactionsSent - sentBefore
    expect(sent).toBeLessThan(40)
    expect(new Set(results.map((r) => r.transaction)).size).toBe(sent)
    expect(errors).toEqual([])
  })
})

describe('close()', () => {
  test('is final: no call starts the facilitator again', async () => {
    const own = await createSqliteLedger(':memory:')
    const closing = createFacilitator({
      ledger: own,
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: [devnet.rpcUrl],
          assets: devnetAssets(devnet),
          pollingIntervalMs: 100,
        },
      ],
      signers: [devnet.accounts[6]!.account],
    })
    try {
      await closing.start()
      const watcher = closing.chains.get(devnet.chainId)!.watcher
      await closing.close()
      const head = watcher.head?.number
      await devnet.testClient.mine({ blocks: 3 })
      const requirements = requirementsFor(devnet, { payTo: randomAddress(), amount: 1n })
      const body = {
        paymentPayload: await pay(devnet.accounts[5]!.account, requirements),
        paymentRequirements: requirements,
      }
      await expect(closing.start()).rejects.toBeInstanceOf(FacilitatorClosedError)
      await expect(closing.verify(body)).rejects.toBeInstanceOf(FacilitatorClosedError)
      await expect(closing.settle(body)).rejects.toBeInstanceOf(FacilitatorClosedError)
      // Nothing polled the chain again, and nothing was reserved.
      expect(watcher.head?.number).toBe(head)
      expect((await closing.health()).status).toBe('degraded')
      expect(await own.counts()).toMatchObject({ verified: 0, queued: 0 })
      await closing.close()
    } finally {
      await closing.close()
      await own.close()
    }
  })
})
