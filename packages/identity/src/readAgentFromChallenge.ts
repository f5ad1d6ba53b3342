import { type InvalidAgentReferenceErrorType, readAgentReference } from '@tollgate/core'
import { type AgentRegistry, formatAgentRegistry, parseAgentRegistry } from './agentRegistry.js'

export type ReadAgentFromChallengeReturnType =
  | { agentRegistry: AgentRegistry; agentId: bigint }
  | undefined

export type ReadAgentFromChallengeErrorType = InvalidAgentReferenceErrorType

/**
 * The agent a 402 challenge names in its `extensions` (a v2 `PaymentRequired`, or a v1 body that
 * carries them), or `undefined` when it names none: core's `readAgentReference`, with the
 * registry's address checksummed. A malformed entry throws `InvalidAgentReferenceError`: a payer
 * should not mistake it for no claim at all.
 *
 * @example
 * import { readAgentFromChallenge, resolveAgent } from '@tollgate/identity'
 *
 * const named = readAgentFromChallenge(paymentRequired)
 * if (named) {
 *   const agent = await resolveAgent(publicClient, {
 *     registry: named.agentRegistry,
 *     agentId: named.agentId,
 *   })
 * }
 */
export function readAgentFromChallenge(paymentRequired: object): ReadAgentFromChallengeReturnType {
  // `object`, not `{ extensions?: unknown }`: a v1 body type shares no declared property with it.
  const reference = readAgentReference((paymentRequired as { extensions?: unknown }).extensions)
  if (!reference) return undefined
  return {
    agentRegistry: formatAgentRegistry(parseAgentRegistry(reference.agentRegistry)),
    agentId: reference.agentId,
  }
}
