import { identityRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import type { Address, Hash } from 'viem'
import { writeContract } from 'viem/actions'
import { type AgentIdInput, type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import type { TransactionRevertedErrorType } from './errors.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

export type SetAgentUriParameters = AccountParameter & {
  registry: Address | AgentRegistry | string
  agentId: AgentIdInput
  /** The new agent URI (https:, ipfs: or a data: URI). */
  uri: string
}

export type SetAgentUriReturnType = { transactionHash: Hash }

export type SetAgentUriErrorType = AccountNotFoundErrorType | TransactionRevertedErrorType

/**
 * Points an agent at a new registration file (`setAgentURI`; owner or operator only). Use it to
 * finish a `registerAgent` that stopped after the mint, or to move the file.
 */
export async function setAgentUri(
  client: WriteClient,
  parameters: SetAgentUriParameters,
): Promise<SetAgentUriReturnType> {
  const account = requireAccount(client, parameters.account, 'setAgentUri')
  const { address } = await resolveRegistry(client, parameters.registry)
  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address,
    abi: identityRegistryAbi,
    functionName: 'setAgentURI',
    args: [parseAgentId(parameters.agentId), parameters.uri],
  })
  await waitForSuccess(client, hash, 'setAgentURI')
  return { transactionHash: hash }
}
