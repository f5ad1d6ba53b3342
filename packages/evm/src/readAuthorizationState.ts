import type { Address, Chain, Client, Hex, Transport } from 'viem'
import { readContract } from 'viem/actions'
import { eip3009Abi } from './abis.js'

export type ReadAuthorizationStateParameters = {
  /** The EIP-3009 token. */
  asset: Address
  authorizer: Address
  nonce: Hex
}

/**
 * Whether an EIP-3009 authorization nonce is used (or canceled) on-chain: the token's
 * `authorizationState(authorizer, nonce)`. The only replay protection the chain gives.
 *
 * @example
 * import { readAuthorizationState } from '@tollgate/evm'
 *
 * const used = await readAuthorizationState(publicClient, { asset, authorizer, nonce })
 */
export async function readAuthorizationState(
  client: Client<Transport, Chain | undefined>,
  { asset, authorizer, nonce }: ReadAuthorizationStateParameters,
): Promise<boolean> {
  return readContract(client, {
    address: asset,
    abi: eip3009Abi,
    functionName: 'authorizationState',
    args: [authorizer, nonce],
  })
}
