import type { Devnet, DevnetAccount } from '@tollgate/contracts/devnet'
import type { PaymentRequirements } from '@tollgate/core'
import { fromWirePermit2Authorization, signPermit2Authorization } from '@tollgate/evm'
import type { Address, Hex } from 'viem'
import {
  encodePermit2Settlement,
  multicall3Address,
  type Permit2SettlementItem,
} from '../../packages/facilitator/src/settlement/encodePermit2Settlement.js'
import { balanceOf } from './balances.js'

export type Permit2GasMeasurement = {
  scheme: 'exact' | 'upto'
  token: string
  /** Mean gas of a one-payment proxy `settle` transaction. */
  single: number
  singleCount: number
  /** Gas per payment of one Multicall3 `aggregate3` of `size` proxy settlements (`exact` only). */
  batches: { size: number; gasUsed: bigint; perPayment: number }[]
}

export type MeasurePermit2GasParameters = {
  scheme: 'exact' | 'upto'
  token: { address: Address; name: string; version: string; network: string; label: string }
  /** Sign round robin; each approved Permit2 already (the one-time approval is not measured). */
  payers: readonly DevnetAccount[]
  /** Sends the settlements; for `upto` it is the facilitator the payers name. */
  sender: DevnetAccount
  /** For `exact`, the amount; for `upto`, the maximum signed (the charge is `charge`). */
  price: bigint
  charge: bigint
  singles: number
  batchSizes: readonly number[]
}

/**
 * Gas per Permit2 payment from receipts, measured as `measureGas` measures EIP-3009: one payee whose
 * balance already exists, distinct payers per batch, every payment checked on the payee's balance.
 */
export async function measurePermit2Gas(
  devnet: Devnet,
  parameters: MeasurePermit2GasParameters,
): Promise<Permit2GasMeasurement> {
  const { scheme, token, payers, sender, price, charge, singles, batchSizes } = parameters
  const payTo =
    `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString('hex')}` as Address
  const requirements: PaymentRequirements = {
    scheme,
    network: token.network,
    amount: price.toString(),
    asset: token.address,
    payTo,
    maxTimeoutSeconds: 600,
    extra: {
      name: token.name,
      version: token.version,
      assetTransferMethod: 'permit2',
      ...(scheme === 'upto' ? { facilitatorAddress: sender.address } : {}),
    },
  }
  const moved = scheme === 'upto' ? charge : price
  let signed = 0
  async function sign(): Promise<Permit2SettlementItem> {
    const payer = payers[signed++ % payers.length]!
    const payload = await signPermit2Authorization(payer.account, { requirements })
    return {
      authorization: fromWirePermit2Authorization(scheme, payload.permit2Authorization),
      signature: payload.signature as Hex,
      amount: moved,
    }
  }
  const wallet = devnet.walletClient(sender.account)
  async function send(call: ReturnType<typeof encodePermit2Settlement>) {
    const hash = await wallet.sendTransaction({ to: call.to, data: call.data, gas: call.gas })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error(`gas: settlement ${hash} reverted`)
    return receipt.gasUsed
  }
  await send(encodePermit2Settlement({ items: [await sign()] }))
  let singleGas = 0n
  for (let i = 0; i < singles; i++)
    singleGas += await send(encodePermit2Settlement({ items: [await sign()] }))
  const batches: Permit2GasMeasurement['batches'] = []
  if (scheme === 'exact')
    for (const size of batchSizes) {
      const items = await Promise.all(Array.from({ length: size }, sign))
      const gasUsed = await send(encodePermit2Settlement({ items, multicall3: multicall3Address }))
      batches.push({ size, gasUsed, perPayment: Number(gasUsed) / size })
    }
  const received = await balanceOf(devnet, token.address, payTo)
  if (received !== BigInt(signed) * moved)
    throw new Error(`gas: payee received ${received}, expected ${BigInt(signed) * moved}`)
  return {
    scheme,
    token: token.label,
    single: Number(singleGas) / singles,
    singleCount: singles,
    batches,
  }
}
