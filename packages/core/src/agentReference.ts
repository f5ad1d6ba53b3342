import { InvalidAgentReferenceError } from './errors/agent.js'
import type { Extension } from './schemas/extensions.js'

// The one reader and writer of the ERC-8004 agent a 402 names. The paywall writes it, the payer
// and `@tollgate/identity` read it; one rule for what a valid reference is.

/**
 * The key of the 402 `extensions` entry that names the provider's ERC-8004 agent:
 * `extensions.erc8004 = { info: { agentRegistry, agentId }, schema }`, in the v2 `PaymentRequired`
 * and as a top-level `extensions` of a v1 body.
 */
export const agentReferenceKey = 'erc8004'

/** Where ERC-8004 puts an agent's domain proof, on the endpoint's host. */
export const agentRegistrationPath = '/.well-known/agent-registration.json'

/** `eip155:<chainId>:<identity registry address>`: ERC-8004's global name of a registry. */
export type AgentRegistryName = `eip155:${number}:0x${string}`

/** An ERC-8004 agent: its Identity Registry and its id (a `uint256`). */
export type AgentReference = {
  /** The Identity Registry, `eip155:<chainId>:<address>`, the address as written. */
  agentRegistry: AgentRegistryName
  agentId: bigint
}

/** What {@link parseAgentReference}, {@link readAgentReference} and {@link parseAgentId} throw. */
export type ParseAgentReferenceErrorType = InvalidAgentReferenceError

const agentRegistryPattern = /^eip155:([1-9][0-9]{0,15}):0x[0-9a-fA-F]{40}$/
const agentIdPattern = /^(0|[1-9][0-9]{0,77})$/
const maxAgentId = 2n ** 256n - 1n

/**
 * An agent id as a `bigint`: a non-negative safe integer, a decimal string without leading zeros,
 * or a bigint, below 2^256. Anything else throws `InvalidAgentReferenceError`.
 */
export function parseAgentId(agentId: unknown): bigint {
  let id: bigint | undefined
  if (typeof agentId === 'bigint') id = agentId
  else if (typeof agentId === 'number' && Number.isSafeInteger(agentId)) id = BigInt(agentId)
  else if (typeof agentId === 'string' && agentIdPattern.test(agentId)) id = BigInt(agentId)
  if (id === undefined || id < 0n || id > maxAgentId)
    throw new InvalidAgentReferenceError({
      value: show(agentId),
      expected: 'an agent id (a non-negative integer below 2^256)',
    })
  return id
}

/** Checks an agent registry name, `eip155:<chainId>:<address>`. */
export function parseAgentRegistryName(agentRegistry: unknown): AgentRegistryName {
  const match = typeof agentRegistry === 'string' ? agentRegistryPattern.exec(agentRegistry) : null
  if (!match || !Number.isSafeInteger(Number(match[1])))
    throw new InvalidAgentReferenceError({
      value: show(agentRegistry),
      expected: 'an agent registry "eip155:<chainId>:<address>"',
    })
  return agentRegistry as AgentRegistryName
}

/** Checks `{ agentRegistry, agentId }` (as a 402 or a registration file writes it). */
export function parseAgentReference(value: {
  agentRegistry: unknown
  agentId: unknown
}): AgentReference {
  return {
    agentRegistry: parseAgentRegistryName(value.agentRegistry),
    agentId: parseAgentId(value.agentId),
  }
}

/**
 * The agent a 402's `extensions` name, or `undefined` when they name none. A malformed entry throws
 * `InvalidAgentReferenceError`: a payer must not mistake a broken claim for no claim.
 *
 * @example
 * ```ts
 * import { readAgentReference } from '@tollgate/core'
 * const agent = readAgentReference(paymentRequired.extensions)
 * ```
 */
export function readAgentReference(extensions: unknown): AgentReference | undefined {
  if (typeof extensions !== 'object' || extensions === null) return undefined
  const entry = (extensions as Record<string, unknown>)[agentReferenceKey]
  if (entry === undefined) return undefined
  const info =
    typeof entry === 'object' && entry !== null ? (entry as { info?: unknown }).info : undefined
  if (typeof info !== 'object' || info === null)
    throw new InvalidAgentReferenceError({
      value: show(entry),
      expected: `extensions.${agentReferenceKey}.info to be { agentRegistry, agentId }`,
    })
  return parseAgentReference(info as { agentRegistry: unknown; agentId: unknown })
}

/** An agent id as ERC-8004 JSON writes it: a number when it is a safe integer, else its digits. */
export function agentIdToJson(agentId: bigint): number | string {
  return agentId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(agentId) : agentId.toString()
}

/** The `erc8004` entry a 402 carries for an agent, with the JSON Schema of its `info`. */
export function declareAgentReference(reference: AgentReference): Extension {
  return {
    info: {
      agentRegistry: reference.agentRegistry,
      agentId: agentIdToJson(reference.agentId),
    },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        agentRegistry: { type: 'string', pattern: agentRegistryPattern.source },
        agentId: {
          oneOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: agentIdPattern.source },
          ],
        },
      },
      required: ['agentRegistry', 'agentId'],
    },
  }
}

/** Whether two registry names are the same registry (the address compared case-insensitively). */
export function isSameAgentRegistry(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function show(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'bigint') return value.toString()
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
