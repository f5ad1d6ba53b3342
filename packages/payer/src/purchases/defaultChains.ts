import { assets } from '@tollgate/evm'
import type { Chain, Client, Transport } from 'viem'
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
 * Where the payer (and `wrapFetch`) reconciles by default: for every network of the asset registry (CAIP-2), the
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

/** Where one network's authorizations are looked up: a viem client or an RPC URL. */
export type ReconcileChain = Client<Transport, Chain | undefined> | string

/**
 * The chains reconciliation uses: the defaults, with the given entries over them (`false` drops a
 * network); none at all for `reconcile: false`.
 */
export function resolveReconcileChains(
  chains: Readonly<Record<string, ReconcileChain | false>> | false | undefined,
): Record<string, ReconcileChain> {
  if (chains === false) return {}
  const resolved: Record<string, ReconcileChain> = defaultReconcileChains()
  for (const [network, chain] of Object.entries(chains ?? {}))
    if (chain === false) delete resolved[network]
    else resolved[network] = chain
  return resolved
}
