import { type Asset, getDefaultAsset } from '@tollgate/evm'
import {
  type Address,
  type Chain,
  erc20Abi,
  type PublicClient,
  parseAbi,
  type Transport,
} from 'viem'

const versionAbi = parseAbi(['function version() view returns (string)'])

/**
 * The token the API is priced in: USDC from `@tollgate/evm`'s registry for the chain, or, when an
 * address is given (a devnet token, another stablecoin), its decimals and EIP-712 domain read on-chain.
 */
export async function readToken(
  publicClient: PublicClient<Transport, Chain>,
  address: Address | undefined,
): Promise<Asset> {
  const network = `eip155:${publicClient.chain.id}` as const
  if (!address) {
    const usdc = getDefaultAsset(network)
    if (!usdc) throw new Error(`No USDC known on ${network}: set USDC_ADDRESS.`)
    return usdc
  }
  const read = <name extends 'name' | 'symbol' | 'decimals'>(functionName: name) =>
    publicClient.readContract({ address, abi: erc20Abi, functionName })
  const [name, symbol, decimals, version] = await Promise.all([
    read('name'),
    read('symbol'),
    read('decimals'),
    publicClient.readContract({ address, abi: versionAbi, functionName: 'version' }),
  ])
  return {
    chainId: publicClient.chain.id,
    network,
    address,
    symbol,
    decimals,
    eip712: { name, version },
  }
}
