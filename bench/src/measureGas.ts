import type { Devnet, DevnetAccount } from '@tollgate/contracts/devnet'
import type { PaymentRequirements } from '@tollgate/core'
import { createPaymentPayload } from '@tollgate/evm'
import { type Address, type Hex, parseEventLogs } from 'viem'
import { batchSettlerAbi } from '../../packages/contracts/src/generated/BatchSettler.js'
import {
  type EncodeSettlementReturnType,
  encodeSettlement,
  type SettlementItem,
} from '../../packages/facilitator/src/settlement/encodeSettlement.js'
import { balanceOf } from './balances.js'
import type { BenchToken } from './roles.js'

export type GasMeasurement = {
  /** Mean gas of a one-payment `transferWithAuthorization` transaction. */
  single: number
  singleCount: number
  /**
   * Gas per payment of one `BatchSettler` transaction of `size` payments: `settlePacked` (what the
   * settler sends) and the ABI-encoded `settle`, each with its own authorizations.
   */
  batches: { size: number; encoding: 'packed' | 'abi'; gasUsed: bigint; perPayment: number }[]
}

export type MeasureGasParameters = {
  token: BenchToken
  batchSettler: Address
  /**
   * Sign the authorizations, round robin; at least as many as the largest batch, so that no payer
   * appears twice in one transaction (a second write to a warm slot would cost less).
   */
  payers: readonly DevnetAccount[]
  /** Sends the settlement transactions. */
  sender: DevnetAccount
  price: bigint
  singles: number
  batchSizes: readonly number[]
}

/**
 * Gas per payment from receipts, single versus batched, the same way for both: every payment goes
 * to one payee whose balance is already non-zero (as an API's is), from payers with a balance, so
 * no measured transfer pays for creating a balance slot. Fails if any payment did not settle.
 */
export async function measureGas(
  devnet: Devnet,
  { token, batchSettler, payers, sender, price, singles, batchSizes }: MeasureGasParameters,
): Promise<GasMeasurement> {
  if (payers.length < Math.max(...batchSizes))
    throw new Error(
      `gas: ${payers.length} payers cannot fill a batch of ${Math.max(...batchSizes)}`,
    )
  const payTo =
    `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')}` as Address
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: token.network,
    amount: price.toString(),
    asset: token.address,
    payTo,
    maxTimeoutSeconds: 600,
    extra: { name: token.name, version: token.version },
  }
  let signed = 0
  async function sign(): Promise<SettlementItem> {
    const payer = payers[signed++ % payers.length]!
    const { payload } = await createPaymentPayload(payer.account, {
      requirements,
      resource: { url: 'http://127.0.0.1/gas' },
    })
    const { authorization, signature } = payload as {
      signature: Hex
      authorization: Record<
        'from' | 'to' | 'value' | 'validAfter' | 'validBefore' | 'nonce',
        string
      >
    }
    return {
      asset: token.address,
      payer: authorization.from as Address,
      payee: authorization.to as Address,
      value: BigInt(authorization.value),
      validAfter: BigInt(authorization.validAfter),
      validBefore: BigInt(authorization.validBefore),
      nonce: authorization.nonce as Hex,
      signature,
    }
  }
  const wallet = devnet.walletClient(sender.account)
  async function send(call: EncodeSettlementReturnType) {
    const hash = await wallet.sendTransaction({ to: call.to, data: call.data, gas: call.gas })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`gas: settlement ${hash} reverted`)
    const failed = parseEventLogs({
      abi: batchSettlerAbi,
      eventName: 'AuthorizationFailed',
      logs: receipt.logs,
    })
    if (failed.length > 0) throw new Error(`gas: ${failed.length} items of ${hash} failed`)
    return receipt.gasUsed
  }

  // Warm-up: the payee's balance slot is created here, outside the measurement.
  await send(encodeSettlement({ items: [await sign()] }))
  let singleGas = 0n
  for (let i = 0; i < singles; i++)
    singleGas += await send(encodeSettlement({ items: [await sign()] }))
  const batches: GasMeasurement['batches'] = []
  for (const encoding of ['abi', 'packed'] as const)
    for (const size of batchSizes) {
      const items = await Promise.all(Array.from({ length: size }, sign))
      const call = encodeSettlement({ items, batchSettler, packed: encoding === 'packed' })
      const gasUsed = await send(call)
      batches.push({ size, encoding, gasUsed, perPayment: Number(gasUsed) / size })
    }
  const received = await balanceOf(devnet, token.address, payTo)
  if (received !== BigInt(signed) * price)
    throw new Error(`gas: payee received ${received}, expected ${BigInt(signed) * price}`)
  return { single: Number(singleGas) / singles, singleCount: singles, batches }
}
