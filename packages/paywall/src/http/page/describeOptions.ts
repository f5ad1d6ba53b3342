import { formatMoney, type PaymentRequired, parseNetwork } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { findAsset } from '../../offer/assets.js'
import type { PaywallPageOption } from './types.js'

/** `base-sepolia` -> `Base Sepolia`; a chain without a v1 name keeps its CAIP-2 id. */
function networkName(network: string): string {
  try {
    const { v1Name } = parseNetwork(network)
    if (v1Name)
      return v1Name
        .split('-')
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join(' ')
  } catch {}
  return network
}

/** The options of a challenge in human units. */
export function describeOptions(
  paymentRequired: PaymentRequired,
  registry: readonly Asset[] | undefined,
): PaywallPageOption[] {
  return paymentRequired.accepts.map((requirement) => {
    const asset = findAsset(requirement.network, requirement.asset, registry)
    return {
      amount: asset
        ? formatMoney(BigInt(requirement.amount), { decimals: asset.decimals })
        : `${requirement.amount} (atomic units)`,
      symbol: asset?.symbol ?? requirement.asset,
      networkName: networkName(requirement.network),
      network: requirement.network,
      asset: requirement.asset,
      payTo: requirement.payTo,
    }
  })
}
