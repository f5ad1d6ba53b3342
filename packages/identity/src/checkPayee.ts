import { identityRegistryAbi } from '@tollgate/contracts'
import { type InvalidAgentReferenceErrorType, parseAgentId } from '@tollgate/core'
import { type Address, type Client, isAddress, isAddressEqual, zeroAddress } from 'viem'
import { readContract } from 'viem/actions'
import { type AgentLocator, resolveRegistry } from './agentRegistry.js'
import {
  PayeeMismatchError,
  type PayeeMismatchErrorType,
  type RegistryChainMismatchErrorType,
} from './errors.js'
import type { ResolvedAgent } from './resolveAgent.js'

export type CheckPayeeParameters = {
  /** The agent being paid: resolved, or its registry and id. */
  agent: Pick<ResolvedAgent, 'registry' | 'agentId'> | AgentLocator
  /** The `payTo` of the payment requirement about to be signed. */
  payTo: string
}

export type CheckPayeeReturnType = { agentWallet: Address }

export type CheckPayeeErrorType =
  | InvalidAgentReferenceErrorType
  | PayeeMismatchErrorType
  | RegistryChainMismatchErrorType

/**
 * Checks, before signing, that a payment goes to the agent's verified wallet: reads
 * `getAgentWallet` now (a transfer clears it, so a cached value is not trusted) and throws
 * `PayeeMismatchError` unless `payTo` equals it.
 *
 * @example
 * import { checkPayee } from '@tollgate/identity'
 *
 * await checkPayee(publicClient, { agent, payTo: requirements.payTo })
 */
export async function checkPayee(
  client: Client,
  parameters: CheckPayeeParameters,
): Promise<CheckPayeeReturnType> {
  const { agent, payTo } = parameters
  const agentId = parseAgentId(agent.agentId)
  const { address, agentRegistry } = await resolveRegistry(client, agent.registry)
  const wallet = await readContract(client, {
    address,
    abi: identityRegistryAbi,
    functionName: 'getAgentWallet',
    args: [agentId],
  })
  const agentWallet = wallet === zeroAddress ? undefined : wallet
  if (!agentWallet || !isAddress(payTo, { strict: false }) || !isAddressEqual(payTo, agentWallet))
    throw new PayeeMismatchError({ agentId, agentRegistry, payTo, agentWallet })
  return { agentWallet }
}
