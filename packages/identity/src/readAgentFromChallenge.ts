import {
  type AgentRegistry,
  formatAgentRegistry,
  parseAgentRegistry,
  toAgentId,
} from './agentRegistry.js'
import { InvalidAgentReferenceError, type InvalidAgentReferenceErrorType } from './errors.js'

/**
 * The key of the 402 `extensions` entry that names the server's ERC-8004 agent:
 * `extensions.erc8004 = { info: { agentRegistry: 'eip155:<chainId>:<registry>', agentId }, schema }`.
 * `@tollgate/express` writes it (v2 header and v1 body), `@tollgate/fetch` reads it.
 */
export const agentIdentityExtension = 'erc8004'

export type ReadAgentFromChallengeReturnType =
  | { agentRegistry: AgentRegistry; agentId: bigint }
  | undefined

export type ReadAgentFromChallengeErrorType = InvalidAgentReferenceErrorType

/**
 * The agent a 402 challenge names in its `extensions` (a v2 `PaymentRequired`, or a v1 body that
 * carries them), or `undefined` when it names none. A malformed entry throws
 * `InvalidAgentReferenceError`: a payer should not mistake it for no claim at all.
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
  const { extensions } = paymentRequired as { extensions?: unknown }
  if (typeof extensions !== 'object' || extensions === null) return undefined
  const entry = (extensions as Record<string, unknown>)[agentIdentityExtension]
  if (entry === undefined) return undefined
  const info =
    typeof entry === 'object' && entry !== null ? (entry as { info?: unknown }).info : undefined
  if (typeof info !== 'object' || info === null)
    throw new InvalidAgentReferenceError({
      value: safeJson(entry),
      expected: `extensions.${agentIdentityExtension}.info to be { agentRegistry, agentId }`,
    })
  const { agentRegistry, agentId } = info as { agentRegistry?: unknown; agentId?: unknown }
  if (typeof agentRegistry !== 'string')
    throw new InvalidAgentReferenceError({
      value: safeJson(agentRegistry),
      expected: 'an agent registry "eip155:<chainId>:<address>"',
    })
  if (typeof agentId !== 'number' && typeof agentId !== 'string')
    throw new InvalidAgentReferenceError({
      value: safeJson(agentId),
      expected: 'an agent id (a non-negative integer below 2^256)',
    })
  return {
    agentRegistry: formatAgentRegistry(parseAgentRegistry(agentRegistry)),
    agentId: toAgentId(agentId),
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
