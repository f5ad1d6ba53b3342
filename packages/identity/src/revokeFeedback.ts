import { reputationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import type { Address, Hash } from 'viem'
import { writeContract } from 'viem/actions'
import type { AgentIdInput } from './agentRegistry.js'
import type { TransactionRevertedErrorType } from './errors.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

export type RevokeFeedbackParameters = AccountParameter & {
  /** The Reputation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  /** The index `giveFeedback` returned (from 1). */
  feedbackIndex: bigint
}

export type RevokeFeedbackReturnType = { transactionHash: Hash }

export type RevokeFeedbackErrorType = AccountNotFoundErrorType | TransactionRevertedErrorType

/** Revokes one of the account's own feedback entries (summaries skip it from then on). */
export async function revokeFeedback(
  client: WriteClient,
  parameters: RevokeFeedbackParameters,
): Promise<RevokeFeedbackReturnType> {
  const account = requireAccount(client, parameters.account, 'revokeFeedback')
  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: parameters.registry,
    abi: reputationRegistryAbi,
    functionName: 'revokeFeedback',
    args: [parseAgentId(parameters.agentId), parameters.feedbackIndex],
  })
  await waitForSuccess(client, hash, 'revokeFeedback')
  return { transactionHash: hash }
}
