import { assets } from '@tollgate/evm'
import type { Chain } from 'viem'
import {
  arbitrum,
  arbitrumSepolia,
  avalanche,
  avalancheFuji,
  base,
  baseSepolia,
  celo,
  celoSepolia,
  mainnet,
  monad,
  optimism,
  optimismSepolia,
  polygon,
  polygonAmoy,
  sei,
  seiTestnet,
  sepolia,
} from 'viem/chains'

/** viem's definitions of the chains of `@tollgate/evm`'s asset registry. */
const knownChains: readonly Chain[] = [
  arbitrum,
  arbitrumSepolia,
  avalanche,
  avalancheFuji,
  base,
  baseSepolia,
  celo,
  celoSepolia,
  mainnet,
  monad,
  optimism,
  optimismSepolia,
  polygon,
  polygonAmoy,
  sei,
  seiTestnet,
  sepolia,
]

/**
 * Where `wrapFetch` reconciles by default: for every network of the asset registry (CAIP-2), the
 * public RPC viem's chain definition names. A network outside the registry (a devnet) has none.
 */
export function defaultReconcileChains(): Record<string, string> {
  const chains: Record<string, string> = {}
  for (const { network, chainId } of assets) {
    const url = knownChains.find((chain) => chain.id === chainId)?.rpcUrls.default.http[0]
    if (url !== undefined) chains[network] = url
  }
  return chains
}
