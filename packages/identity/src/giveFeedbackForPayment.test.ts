import { testUsdcAbi } from '@tollgate/contracts'
import type { Hash } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { InvalidPaymentReceiptError } from './errors.js'
import { getReputationSummary } from './getReputationSummary.js'
import { giveFeedbackForPayment, toProofOfPayment } from './giveFeedbackForPayment.js'
import { readFeedback } from './readFeedback.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'

const chain = useRegistries()
let agentId: bigint

beforeAll(async () => {
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'seller', x402Support: true }),
    publish: { kind: 'data' },
  }))
})

const seller = () => chain.devnet.accounts[0]!.address
const buyer = () => chain.devnet.accounts[1]!.address
const txHash = `0x${'ab'.repeat(32)}` as Hash

describe('giveFeedbackForPayment', () => {
  test('the receipt of a paid call becomes the proofOfPayment; the summary counts the feedback', async () => {
    const hash = await chain.wallet(1).writeContract({
      address: chain.devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'transfer',
      args: [seller(), 10_000n],
    })
    await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
    // The fields of a @tollgate/fetch receipt this reads (addresses lower-cased on purpose).
    const receipt = {
      status: 'settled',
      transaction: hash,
      network: chain.devnet.network,
      payTo: seller().toLowerCase(),
      payer: buyer().toLowerCase(),
      amount: 10_000n,
    }
    const result = await giveFeedbackForPayment(chain.wallet(1), {
      registry: chain.registries.reputationRegistry,
      agentId,
      receipt,
      value: '87.5',
      tag1: 'x402',
      feedback: { comment: 'fast' },
    })
    expect(result.proofOfPayment).toEqual({
      fromAddress: buyer(),
      toAddress: seller(),
      chainId: chain.devnet.chainId,
      txHash: hash,
    })
    expect(result.file).toMatchObject({
      comment: 'fast',
      proofOfPayment: {
        fromAddress: buyer(),
        toAddress: seller(),
        chainId: String(chain.devnet.chainId),
        txHash: hash,
      },
    })

    const read = await readFeedback(chain.devnet.publicClient, {
      registry: chain.registries.reputationRegistry,
      agentId,
      clientAddress: buyer(),
      feedbackIndex: result.feedbackIndex,
      includeFile: true,
    })
    expect(read.hashMatches).toBe(true)
    expect(read.file?.proofOfPayment?.txHash).toBe(hash)
    expect(
      await getReputationSummary(chain.devnet.publicClient, {
        registry: chain.registries.reputationRegistry,
        agentId,
        clients: [buyer()],
        tag1: 'x402',
      }),
    ).toMatchObject({ count: 1n, average: '87.5' })
  })

  test('a receipt that proves no settled payment is refused before anything is sent', async () => {
    const before = await chain.devnet.publicClient.getTransactionCount({ address: buyer() })
    const base = {
      status: 'settled',
      transaction: txHash as string | undefined,
      network: 'base-sepolia',
      payTo: seller(),
      payer: buyer() as string | undefined,
    }
    const reasons = [
      { ...base, status: 'indeterminate' },
      { ...base, transaction: undefined },
      { ...base, transaction: '0x1234' },
      { ...base, payer: undefined },
      { ...base, payTo: 'not-an-address' },
      { ...base, network: 'solana-devnet' },
    ].map((receipt) => {
      try {
        toProofOfPayment(receipt)
        return 'no error'
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPaymentReceiptError)
        return (error as InvalidPaymentReceiptError).reason
      }
    })
    expect(reasons).toMatchInlineSnapshot(`
      [
        "it is not settled",
        "it has no settlement transaction hash",
        "it has no settlement transaction hash",
        "its payer is not an address",
        "its payTo is not an address",
        "its network is not an EVM chain",
      ]
    `)
    await expect(
      giveFeedbackForPayment(chain.wallet(1), {
        registry: chain.registries.reputationRegistry,
        agentId,
        receipt: { ...base, transaction: undefined },
        value: '1',
      }),
    ).rejects.toBeInstanceOf(InvalidPaymentReceiptError)
    await expect(
      giveFeedbackForPayment(chain.wallet(1), {
        registry: chain.registries.reputationRegistry,
        agentId,
        receipt: base,
        value: '1',
        publish: { kind: 'none' },
      }),
    ).rejects.toBeInstanceOf(InvalidPaymentReceiptError)
    expect(await chain.devnet.publicClient.getTransactionCount({ address: buyer() })).toBe(before)
  })

  test('a v1 network name and a `from` payer work too', () => {
    expect(
      toProofOfPayment({
        transaction: txHash,
        network: 'base-sepolia',
        payTo: seller(),
        from: buyer(),
      }),
    ).toEqual({ fromAddress: buyer(), toAddress: seller(), chainId: 84532, txHash })
  })
})
