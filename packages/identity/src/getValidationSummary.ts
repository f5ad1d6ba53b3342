import { validationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { Address, Client } from 'viem'
import { readContract } from 'viem/actions'
import type { AgentIdInput } from './agentRegistry.js'

export type GetValidationSummaryParameters = {
  /** The Validation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  /** Only these validators' responses. @default all */
  validators?: readonly Address[] | undefined
  /** Only responses with this tag. @default any */
  tag?: string | undefined
}

export type GetValidationSummaryReturnType = {
  /** Answered requests counted (unanswered ones are skipped). */
  count: bigint
  /** Truncated average response, 0..100 (0 when none). */
  averageResponse: number
}

/** Reads the count and average of an agent's answered validation requests. */
export async function getValidationSummary(
  client: Client,
  parameters: GetValidationSummaryParameters,
): Promise<GetValidationSummaryReturnType> {
  const [count, averageResponse] = await readContract(client, {
    address: parameters.registry,
    abi: validationRegistryAbi,
    functionName: 'getSummary',
    args: [
      parseAgentId(parameters.agentId),
      [...(parameters.validators ?? [])],
      parameters.tag ?? '',
    ],
  })
  return { count, averageResponse }
}
