import { BaseError } from '@tollgate/core'
import {
  type Account,
  type Address,
  type Chain,
  getContractAddress,
  type Hash,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { identityRegistryAbi, identityRegistryBytecode } from '../generated/IdentityRegistry.js'
import {
  reputationRegistryAbi,
  reputationRegistryBytecode,
} from '../generated/ReputationRegistry.js'
import {
  validationRegistryAbi,
  validationRegistryBytecode,
} from '../generated/ValidationRegistry.js'

/** Addresses of a freshly deployed set of ERC-8004 registries. */
export type DeployRegistriesReturnType = {
  identityRegistry: Address
  reputationRegistry: Address
  validationRegistry: Address
}

export type DeployRegistriesErrorType = DeployRegistriesError & { name: 'DeployRegistriesError' }

/** A registry deployment was mined but reverted or did not create the expected contract. */
export class DeployRegistriesError extends BaseError {
  override name = 'DeployRegistriesError' as const
  /** Which registry: `IdentityRegistry`, `ReputationRegistry` or `ValidationRegistry`. */
  readonly contract: string
  /** The deployment transaction. */
  readonly transactionHash: Hash

  constructor({ contract, transactionHash }: { contract: string; transactionHash: Hash }) {
    super(`Deploying the ERC-8004 ${contract} failed.`, {
      code: 'TOLLGATE_ERC8004_DEPLOY',
      metaMessages: [`Transaction: ${transactionHash}`],
    })
    this.contract = contract
    this.transactionHash = transactionHash
  }
}

/**
 * Deploys the ERC-8004 Identity, Reputation and Validation registries from the wallet's account.
 *
 * The Reputation and Validation registries take the Identity Registry's address in their
 * constructor; it is derived from the account's nonce, so the three transactions go out back to
 * back (in nonce order, which a node mining on arrival needs) and their receipts are awaited
 * together.
 *
 * @example
 * import { deployRegistries } from '@tollgate/contracts'
 *
 * const { identityRegistry } = await deployRegistries(walletClient, publicClient)
 */
export async function deployRegistries(
  walletClient: WalletClient<Transport, Chain | undefined, Account>,
  publicClient: PublicClient,
): Promise<DeployRegistriesReturnType> {
  const { account } = walletClient
  const chain = walletClient.chain ?? publicClient.chain ?? null
  const nonce = await publicClient.getTransactionCount({
    address: account.address,
    blockTag: 'pending',
  })
  const addressAt = (offset: number) =>
    getContractAddress({ from: account.address, nonce: BigInt(nonce + offset) })
  const identityRegistry = addressAt(0)

  const deployments = [
    {
      name: 'IdentityRegistry',
      send: () =>
        walletClient.deployContract({
          account,
          chain,
          abi: identityRegistryAbi,
          bytecode: identityRegistryBytecode,
          nonce,
        }),
    },
    {
      name: 'ReputationRegistry',
      send: () =>
        walletClient.deployContract({
          account,
          chain,
          abi: reputationRegistryAbi,
          bytecode: reputationRegistryBytecode,
          args: [identityRegistry],
          nonce: nonce + 1,
        }),
    },
    {
      name: 'ValidationRegistry',
      send: () =>
        walletClient.deployContract({
          account,
          chain,
          abi: validationRegistryAbi,
          bytecode: validationRegistryBytecode,
          args: [identityRegistry],
          nonce: nonce + 2,
        }),
    },
  ]
  const hashes: Hash[] = []
  for (const deployment of deployments) hashes.push(await deployment.send())

  const [, reputationRegistry, validationRegistry] = (await Promise.all(
    hashes.map(async (hash, index) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      const expected = addressAt(index)
      if (
        receipt.status !== 'success' ||
        receipt.contractAddress?.toLowerCase() !== expected.toLowerCase()
      )
        throw new DeployRegistriesError({
          contract: deployments[index]!.name,
          transactionHash: hash,
        })
      return expected
    }),
  )) as [Address, Address, Address]

  return { identityRegistry, reputationRegistry, validationRegistry }
}
