import { type Asset, getDefaultAsset, readAsset } from '@tollgate/evm'
import type { Address, Chain, PublicClient, Transport } from 'viem'

/**
 * The token the API is priced in: USDC from `@tollgate/evm`'s registry for the chain, or, when an
 * address is given (a devnet token, another stablecoin), its decimals and EIP-712 domain read on-chain.
 */
export async function readToken(
  publicClient: PublicClient<Transport, Chain>,
  address: Address | undefined,
): Promise<Asset> {
  if (address) return readAsset(publicClient, { address })
  const network = `eip155:${publicClient.chain.id}` as const
  const usdc = getDefaultAsset(network)
  if (!usdc) throw new Error(`No USDC known on ${network}: set USDC_ADDRESS.`)
  return usdc
}
