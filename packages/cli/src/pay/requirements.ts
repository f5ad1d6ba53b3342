import {
  formatMoney,
  type ParsePaymentRequiredResponseReturnType,
  type PaymentRequirements,
  requirementsFromV1,
} from '@tollgate/core'
import { type Asset, getAsset } from '@tollgate/evm'
import { formatTable } from '../output.js'

/** One payment option of a 402, the same for both protocol versions. */
export type Requirement = {
  scheme: string
  network: string
  /** Atomic units of `asset`. */
  amount: bigint
  /** The amount in whole units, when the token's decimals are known. */
  price: string | undefined
  asset: string
  payTo: string
  maxTimeoutSeconds: number
  extra: Record<string, unknown> | null | undefined
}

/** The 402's payment options in v2 shape: a v1 challenge's are converted (CAIP-2 network). */
export function toAccepts(
  challenge: ParsePaymentRequiredResponseReturnType,
): PaymentRequirements[] {
  return challenge.x402Version === 1
    ? challenge.paymentRequired.accepts.map(requirementsFromV1)
    : challenge.paymentRequired.accepts
}

/** The token of a requirement: the built-in registry's, else one of `known` (read on-chain). */
export function findAsset(
  { network, asset }: { network: string; asset: string },
  known: readonly Asset[],
): Asset | undefined {
  return (
    getAsset({ network, address: asset }) ?? getAsset({ network, address: asset, assets: known })
  )
}

/** Each option with its price in whole units when its token is known. */
export function toRequirements(
  accepts: readonly PaymentRequirements[],
  known: readonly Asset[],
): Requirement[] {
  return accepts.map((accept) => {
    const amount = BigInt(accept.amount)
    const token = findAsset(accept, known)
    return {
      scheme: accept.scheme,
      network: accept.network,
      amount,
      price: token
        ? formatMoney(amount, { decimals: token.decimals, symbol: token.symbol })
        : undefined,
      asset: accept.asset,
      payTo: accept.payTo,
      maxTimeoutSeconds: accept.maxTimeoutSeconds,
      extra: accept.extra,
    }
  })
}

/** The options as a table, prices in whole units where known. */
export function formatRequirements(requirements: readonly Requirement[]): string {
  return formatTable(
    requirements.map((requirement, index) => ({
      option: String(index + 1),
      scheme: requirement.scheme,
      network: requirement.network,
      price: requirement.price ?? `${requirement.amount} (atomic)`,
      asset: requirement.asset,
      payTo: requirement.payTo,
    })),
  )
}
