import { reputationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { Address, Client } from 'viem'
import { readContract } from 'viem/actions'
import type { AgentIdInput } from './agentRegistry.js'
import { EmptyClientListError, type EmptyClientListErrorType } from './errors.js'
import { fromFeedbackValue } from './feedbackValue.js'

export type GetReputationSummaryParameters = {
  /** The Reputation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  /**
   * The clients whose feedback counts: required and non-empty, so Sybil clients cannot inflate
   * the summary (e.g. the payers you have seen settle payments).
   */
  clients: readonly Address[]
  /** Only feedback with this tag1. @default any */
  tag1?: string | undefined
  /** Only feedback with this tag2. @default any */
  tag2?: string | undefined
}

export type GetReputationSummaryReturnType = {
  /** Non-revoked feedback entries counted. */
  count: bigint
  /** The average as the registry computes it (truncated, in the most common decimals). */
  value: bigint
  valueDecimals: number
  /** `value` as an exact decimal string, e.g. `'99.77'`. */
  average: string
}

export type GetReputationSummaryErrorType = EmptyClientListErrorType

/**
 * Reads an agent's reputation summary over a trusted client list (`getSummary`).
 *
 * @example
 * import { getReputationSummary } from '@tollgate/identity'
 *
 * const { count, average } = await getReputationSummary(publicClient, {
 *   registry: reputationRegistry,
 *   agentId,
 *   clients: [trustedBuyer],
 * })
 */
export async function getReputationSummary(
  client: Client,
  parameters: GetReputationSummaryParameters,
): Promise<GetReputationSummaryReturnType> {
  const { registry, clients, tag1 = '', tag2 = '' } = parameters
  if (clients.length === 0) throw new EmptyClientListError()
  const [count, value, valueDecimals] = await readContract(client, {
    address: registry,
    abi: reputationRegistryAbi,
    functionName: 'getSummary',
    args: [parseAgentId(parameters.agentId), [...clients], tag1, tag2],
  })
  return { count, value, valueDecimals, average: fromFeedbackValue({ value, valueDecimals }) }
}
