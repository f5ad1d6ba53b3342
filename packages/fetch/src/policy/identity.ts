import type { PaymentRequirements } from '@tollgate/core'
import type { Challenge } from './candidate.js'

/**
 * The key of the 402 `extensions` entry that names the server's ERC-8004 agent:
 * `extensions.erc8004.info = { agentRegistry: 'eip155:<chainId>:<registry>', agentId }`.
 */
export const agentIdentityExtension = 'erc8004'

/** An ERC-8004 agent: its Identity Registry (`eip155:<chainId>:<address>`) and its id. */
export type AgentIdentity = {
  readonly registry: string
  readonly agentId: string
}

/** What a 402 says about the server's agent identity. */
export type AgentClaim =
  | { readonly kind: 'none' }
  | { readonly kind: 'named'; readonly agent: AgentIdentity }
  | { readonly kind: 'malformed'; readonly reason: string }

const registryPattern = /^eip155:[1-9][0-9]*:0x[0-9a-fA-F]{40}$/

/** Reads the agent a 402 names, in its `extensions` (v2, or a v1 body that carries them). */
export function readAgentIdentity(challenge: Challenge): AgentClaim {
  const extensions = (challenge.paymentRequired as { extensions?: unknown }).extensions
  if (typeof extensions !== 'object' || extensions === null) return { kind: 'none' }
  const entry = (extensions as Record<string, unknown>)[agentIdentityExtension]
  if (entry === undefined) return { kind: 'none' }
  const info = (entry as { info?: unknown } | null)?.info as
    | { agentRegistry?: unknown; agentId?: unknown }
    | undefined
  const registry = info?.agentRegistry
  const agentId = info?.agentId
  if (typeof registry !== 'string' || !registryPattern.test(registry))
    return { kind: 'malformed', reason: 'its agentRegistry is not eip155:<chainId>:<address>' }
  const id =
    typeof agentId === 'number' && Number.isSafeInteger(agentId) && agentId >= 0
      ? String(agentId)
      : typeof agentId === 'string' && /^[0-9]{1,78}$/.test(agentId)
        ? agentId
        : undefined
  if (id === undefined) return { kind: 'malformed', reason: 'its agentId is not a number' }
  return { kind: 'named', agent: { registry, agentId: id } }
}

/**
 * What a `verifyPayee` hook is asked: the agent the 402 names and a `payTo` about to be signed.
 * `agent` and `payTo` have the shape `@tollgate/identity`'s `checkPayee` takes.
 */
export type VerifyPayeeContext = {
  readonly agent: AgentIdentity
  readonly payTo: string
  /** An option that pays `payTo` (v2 shape). */
  readonly requirements: PaymentRequirements
  /** The URL that answered the 402. */
  readonly url: URL
  readonly method: string
  readonly challenge: Challenge
}

/**
 * Checks that `payTo` is the verified wallet of the agent the 402 names; resolves when it is,
 * rejects (with any error) when it is not. Nothing is signed for a payee it rejects.
 */
export type VerifyPayee = (context: VerifyPayeeContext) => Promise<unknown>
