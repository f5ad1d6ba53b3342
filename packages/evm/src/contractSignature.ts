import { reasons } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import { getCode, readContract, verifyHash } from 'viem/actions'
import { erc1271Abi, erc1271MagicValue } from './abis.js'
import { isContractFailure } from './contractFailure.js'
import type { ReadClient } from './verifyAuthorization.js'

/** What a contract wallet's signature check found. */
export type ContractSignatureCheck = { valid: true } | { valid: false; reason: string }

/**
 * Checks a signature that is not an ECDSA signature by `address`: a deployed wallet's ERC-1271
 * `isValidSignature`, or an undeployed wallet's ERC-6492 signature from an allowed factory.
 */
export async function checkContractSignature(
  client: ReadClient,
  {
    address,
    digest,
    signature,
    inner,
    deployment,
    erc6492Factories,
  }: {
    address: Address
    digest: Hex
    signature: Hex
    inner: Hex
    deployment: { factory: Address; factoryData: Hex } | undefined
    erc6492Factories: readonly Address[]
  },
): Promise<ContractSignatureCheck> {
  // Both requests at once: a deployed wallet answers the second, an EOA or an undeployed wallet
  // makes it fail, and the code tells which.
  const [code, magic] = await Promise.all([
    getCode(client, { address }),
    readContract(client, {
      address,
      abi: erc1271Abi,
      functionName: 'isValidSignature',
      args: [digest, inner],
    }).catch((error: unknown) => {
      if (isContractFailure(error)) return undefined
      throw error
    }),
  ])
  if (code !== undefined && code !== '0x') {
    return magic?.toLowerCase() === erc1271MagicValue
      ? { valid: true }
      : { valid: false, reason: reasons.invalidExactEvmSignature }
  }
  if (!deployment) return { valid: false, reason: reasons.invalidExactEvmSignature }
  const factory = deployment.factory.toLowerCase()
  if (!erc6492Factories.some((allowed) => allowed.toLowerCase() === factory))
    return { valid: false, reason: reasons.eip6492FactoryNotAllowed }
  // ERC-6492 counterfactual check: viem simulates the deployment and the ERC-1271 call in one
  // `eth_call` (its deployless universal validator), so nothing is deployed to verify.
  const valid = await verifyHash(client, { address, hash: digest, signature })
  return valid ? { valid: true } : { valid: false, reason: reasons.invalidExactEvmSignature }
}
