import type { AgentReference, PaymentRequirements } from '@tollgate/core'
import { readAgentReference } from '@tollgate/core'
import type { Challenge } from './candidate.js'

/**
 * The ERC-8004 agent a 402 names, as the policy's hooks get it: core's `AgentReference`, plus
 * `registry` (the same `agentRegistry`), the shape `@tollgate/identity`'s `checkPayee` and
 * `createPayeeVerifier` take.
 */
export type NamedAgent = AgentReference & {
  /** The same as `agentRegistry`. */
  readonly registry: AgentReference['agentRegistry']
}

/** What a 402 says about the server's agent identity. */
export type AgentClaim =
  | { readonly kind: 'none' }
  | { readonly kind: 'named'; readonly agent: NamedAgent }
  | { readonly kind: 'malformed'; readonly reason: string }

/**
 * Reads the agent a 402 names, in its `extensions` (v2, or a v1 body that carries them), with
 * core's one reader: a malformed claim is reported as such, never taken for no claim.
 */
export function readAgentClaim(challenge: Challenge): AgentClaim {
  const extensions = (challenge.paymentRequired as { extensions?: unknown }).extensions
  let agent: AgentReference | undefined
  try {
    agent = readAgentReference(extensions)
  } catch (error) {
    return { kind: 'malformed', reason: (error as { shortMessage?: string }).shortMessage ?? '' }
  }
  if (!agent) return { kind: 'none' }
  return { kind: 'named', agent: { ...agent, registry: agent.agentRegistry } }
}

/**
 * What a `verifyPayee` hook is asked: the agent the 402 names and a `payTo` about to be signed.
 * `agent` and `payTo` have the shape `@tollgate/identity`'s `checkPayee` takes.
 */
export type VerifyPayeeContext = {
  readonly agent: NamedAgent
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
