import type { Address, Chain, Client, Transport } from 'viem'
import { getChainId, readContract } from 'viem/actions'
import { erc20Abi } from './abis.js'
import type { Asset } from './assets.js'
import { isContractFailure } from './contractFailure.js'
import { MissingEip712DomainError, NotATokenError } from './errors.js'
import { readTokenDomain } from './readTokenDomain.js'

export type ReadAssetParameters = {
  /** The token contract. */
  address: Address
}

/**
 * Describes a token that is not in the registry (a devnet token, another EIP-3009 stablecoin) as
 * an `Asset`: its chain, `symbol()`, `decimals()` and EIP-712 domain (`name()`, `version()`),
 * read on-chain. Pass the result in `assets` to the paywall, the paying fetch or a facilitator.
 *
 * @throws NotATokenError when the contract does not answer `symbol()` and `decimals()`.
 * @throws MissingEip712DomainError when the token has no `name()` or `version()`: it cannot take
 * EIP-3009 authorizations that the registry's tooling can sign.
 *
 * @example
 * import { readAsset } from '@tollgate/evm'
 *
 * const token = await readAsset(publicClient, { address: '0x…' })
 * app.use(createPaywall(facilitator, { assets: [token], routes }))
 */
export async function readAsset(
  client: Client<Transport, Chain | undefined>,
  { address }: ReadAssetParameters,
): Promise<Asset> {
  const metadata = Promise.all([
    readContract(client, { address, abi: erc20Abi, functionName: 'symbol' }),
    readContract(client, { address, abi: erc20Abi, functionName: 'decimals' }),
  ]).catch((error: unknown) => {
    // A revert or an empty answer is the contract's; an RPC fault is rethrown as it is.
    throw isContractFailure(error) ? new NotATokenError({ address, cause: error }) : error
  })
  const [chainId, [symbol, decimals], domain] = await Promise.all([
    client.chain?.id ?? getChainId(client),
    metadata,
    readTokenDomain(client, { asset: address }),
  ])
  const network = `eip155:${chainId}` as const
  if (domain.name === undefined || domain.version === undefined)
    throw new MissingEip712DomainError({ asset: address, network })
  return {
    chainId,
    network,
    address,
    symbol,
    decimals,
    eip712: { name: domain.name, version: domain.version },
  }
}
