import { identityRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import type { Address, Hash, Hex } from 'viem'
import { writeContract } from 'viem/actions'
import { type AgentIdInput, type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import {
  AccountCannotSignError,
  type AccountCannotSignErrorType,
  type InvalidDeadlineErrorType,
  type TransactionRevertedErrorType,
} from './errors.js'
import { type AgentWalletTypedData, getAgentWalletTypedData } from './getAgentWalletTypedData.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

/**
 * Something that signs as the new wallet: a viem local account (EOA), or a smart account whose
 * `signTypedData` returns a signature its contract accepts through ERC-1271.
 */
export type AgentWalletSigner = {
  address: Address
  signTypedData?: ((typedData: AgentWalletTypedData) => Promise<Hex>) | undefined
}

export type SetAgentWalletParameters = AccountParameter & {
  registry: Address | AgentRegistry | string
  agentId: AgentIdInput
  /** Unix seconds, at most 300 s ahead. @default see `getAgentWalletTypedData` */
  deadline?: bigint | undefined
  /** This machine's clock, milliseconds since the epoch, for the default deadline. @default Date.now */
  now?: (() => number) | undefined
} & (
    | {
        /**
         * The new wallet, which signs: an EOA account; or `{ address, signer }` for an ERC-1271
         * contract wallet that accepts its owner's plain ECDSA signature of the digest.
         */
        wallet: AgentWalletSigner | { address: Address; signer: AgentWalletSigner }
        signature?: undefined
      }
    | {
        /** The new wallet's address, when it signed `getAgentWalletTypedData` elsewhere. */
        wallet: Address
        signature: Hex
        deadline: bigint
      }
  )

export type SetAgentWalletReturnType = { transactionHash: Hash; wallet: Address; deadline: bigint }

export type SetAgentWalletErrorType =
  | AccountCannotSignErrorType
  | AccountNotFoundErrorType
  | InvalidDeadlineErrorType
  | TransactionRevertedErrorType

/**
 * Sets the agent's verified payment wallet: the new wallet signs the EIP-712 `AgentWalletSet`
 * (domain from the registry's `eip712Domain()`), and the owner (or an operator) submits it.
 *
 * @example
 * import { setAgentWallet } from '@tollgate/identity'
 *
 * await setAgentWallet(ownerWalletClient, { registry, agentId, wallet: payoutAccount })
 */
export async function setAgentWallet(
  client: WriteClient,
  parameters: SetAgentWalletParameters,
): Promise<SetAgentWalletReturnType> {
  const account = requireAccount(client, parameters.account, 'setAgentWallet')
  const agentId = parseAgentId(parameters.agentId)
  const { address: registry } = await resolveRegistry(client, parameters.registry)

  let wallet: Address
  let signature: Hex
  let deadline: bigint
  if (typeof parameters.wallet === 'string') {
    wallet = parameters.wallet
    signature = parameters.signature!
    deadline = parameters.deadline!
  } else {
    const signer = 'signer' in parameters.wallet ? parameters.wallet.signer : parameters.wallet
    wallet = parameters.wallet.address
    const prepared = await getAgentWalletTypedData(client, {
      registry,
      agentId,
      wallet,
      deadline: parameters.deadline,
      now: parameters.now,
    })
    if (!signer.signTypedData) throw new AccountCannotSignError({ address: signer.address })
    signature = await signer.signTypedData(prepared.typedData)
    deadline = prepared.deadline
  }

  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'setAgentWallet',
    args: [agentId, wallet, deadline, signature],
  })
  await waitForSuccess(client, hash, 'setAgentWallet')
  return { transactionHash: hash, wallet, deadline }
}
