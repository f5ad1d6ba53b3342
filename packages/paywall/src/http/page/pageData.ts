import { parseNetwork } from '@tollgate/core'
import { type AddEthereumChainParameter, type Chain, toHex } from 'viem'
import type { PaywallPageContext } from './types.js'

// What the page's script reads besides the challenge: the wire it pays with and, per option, the
// chain to put the wallet on. The script imports these types only (they are erased), so this file
// is the one contract between the server and the browser.

/** The chain of one option, as the wallet calls name it. */
export type PageChain = {
  /** `0x`-hex chain id, as `eth_chainId` answers. */
  chainId: string
  /** The option's network as the page shows it (`Base Sepolia`). */
  name: string
  /** `wallet_addEthereumChain` parameters, when the provider gave the chain's public RPC. */
  add?: AddEthereumChainParameter | undefined
}

/** The JSON in `<script type="application/json" id="tollgate-paywall">`. */
export type PageData = {
  /** The wire the page pays with; the challenge beside it has the same version. */
  x402Version: 1 | 2
  /** Per entry of the challenge's `accepts`; `null` for an option a wallet cannot pay here. */
  chains: (PageChain | null)[]
}

/** `wallet_addEthereumChain` parameters of a viem chain: its default (public) RPC URLs. */
function addChainParameters(chain: Chain): AddEthereumChainParameter {
  const explorer = chain.blockExplorers?.default.url
  return {
    chainId: toHex(chain.id),
    chainName: chain.name,
    nativeCurrency: chain.nativeCurrency,
    rpcUrls: chain.rpcUrls.default.http,
    ...(explorer ? { blockExplorerUrls: [explorer] } : {}),
  }
}

/** The page data of a challenge: an `exact` option on an EVM chain gets its chain, others `null`. */
export function buildPageData(
  { paymentRequired, options }: PaywallPageContext,
  { x402Version, chains }: { x402Version: 1 | 2; chains: readonly Chain[] },
): PageData {
  return {
    x402Version,
    chains: paymentRequired.accepts.map((requirement, index) => {
      const chainId = requirement.scheme === 'exact' ? evmChainId(requirement.network) : undefined
      if (chainId === undefined) return null
      const known = chains.find((chain) => chain.id === chainId)
      return {
        chainId: toHex(chainId),
        name: options[index]?.networkName ?? requirement.network,
        ...(known ? { add: addChainParameters(known) } : {}),
      }
    }),
  }
}

function evmChainId(network: string): number | undefined {
  try {
    return parseNetwork(network).chainId
  } catch {
    return undefined
  }
}

/** JSON for a `<script type="application/json">` element: `<` escaped so it cannot close it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}
