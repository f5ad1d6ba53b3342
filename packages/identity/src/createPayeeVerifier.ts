import { type Address, type Client, isAddress, isAddressEqual } from 'viem'
import type { AgentIdInput } from './agentRegistry.js'
import {
  AgentDomainNotVerifiedError,
  type AgentDomainNotVerifiedErrorType,
  PayeeContextIncompleteError,
  type PayeeContextIncompleteErrorType,
  PayeeMismatchError,
  type PayeeMismatchErrorType,
} from './errors.js'
import type { FetchDocumentParameters } from './fetchDocument.js'
import {
  type ReadAgentFromChallengeErrorType,
  readAgentFromChallenge,
} from './readAgentFromChallenge.js'
import { type ResolveAgentErrorType, type ResolvedAgent, resolveAgent } from './resolveAgent.js'
import { type VerifyAgentDomainReturnType, verifyAgentDomain } from './verifyAgentDomain.js'

/**
 * What the verifier is asked about one payee of a 402. `@tollgate/fetch`'s `verifyPayee` context
 * has this shape (`agent`, `payTo`, `requirements`, `url`, `challenge`); without `agent`, the agent is
 * read from `challenge.paymentRequired.extensions`.
 */
export type PayeeVerifierContext = {
  /** The agent the 402 names: its Identity Registry (`eip155:<chainId>:<address>`) and id. */
  readonly agent?: { readonly registry: string; readonly agentId: AgentIdInput } | undefined
  /** The `payTo` about to be signed (else `requirements.payTo`). */
  readonly payTo?: string | undefined
  readonly requirements?: { readonly payTo: string } | undefined
  /** The URL that asked for payment: its host is checked with `verifyDomain`. */
  readonly url?: URL | string | undefined
  /** The parsed 402: its `paymentRequired` (v2 object or v1 body). */
  readonly challenge?: { readonly paymentRequired: object } | undefined
}

/** What a passed check found; `undefined` when the 402 names no agent (nothing to check). */
export type PayeeVerification =
  | {
      agent: ResolvedAgent
      agentWallet: Address
      /** The domain check, with `verifyDomain`. */
      domain: VerifyAgentDomainReturnType | undefined
    }
  | undefined

/** Resolves when `payTo` is the named agent's verified wallet; rejects otherwise. */
export type PayeeVerifier = (context: PayeeVerifierContext) => Promise<PayeeVerification>

export type CreatePayeeVerifierParameters = {
  /** Limits and schemes for reading the registration file and the `.well-known` file. */
  fetchOptions?: FetchDocumentParameters | undefined
  /**
   * Also require the URL's host to prove it belongs to the agent
   * (`/.well-known/agent-registration.json` listing it, or the host serving the agent URI), so a
   * server cannot borrow another agent's identity. Needs `url` in the context.
   * @default false
   */
  verifyDomain?: boolean | undefined
}

export type PayeeVerifierErrorType =
  | AgentDomainNotVerifiedErrorType
  | PayeeContextIncompleteErrorType
  | PayeeMismatchErrorType
  | ReadAgentFromChallengeErrorType
  | ResolveAgentErrorType

/**
 * A payee check for `@tollgate/fetch`'s `verifyPayee` policy hook: when a 402 names an ERC-8004
 * agent, resolves it (owner, registration file, and a fresh on-chain read of `getAgentWallet`)
 * and throws `PayeeMismatchError` unless `payTo` is the agent's verified wallet. The agent's
 * registry must be on the client's chain (`RegistryChainMismatchError` otherwise), and an agent
 * that cannot be resolved is refused too. Concurrent checks of one agent share one resolution.
 *
 * @example
 * import { wrapFetch } from '@tollgate/fetch'
 * import { createPayeeVerifier } from '@tollgate/identity'
 *
 * const pay = wrapFetch(fetch, {
 *   account,
 *   policy: { verifyPayee: createPayeeVerifier(publicClient), requireIdentity: true },
 * })
 */
export function createPayeeVerifier(
  client: Client,
  parameters: CreatePayeeVerifierParameters = {},
): PayeeVerifier {
  const { fetchOptions, verifyDomain = false } = parameters
  const inflight = new Map<string, Promise<ResolvedAgent>>()

  // Only concurrent checks share a resolution: a transfer clears the wallet, so none is cached.
  function resolve(registry: string, agentId: AgentIdInput): Promise<ResolvedAgent> {
    const key = `${registry.toLowerCase()}#${String(agentId)}`
    let pending = inflight.get(key)
    if (!pending) {
      pending = resolveAgent(client, { registry, agentId, fetchOptions }).finally(() =>
        inflight.delete(key),
      )
      inflight.set(key, pending)
    }
    return pending
  }

  return async function verifyPayee(context) {
    const named =
      context.agent ??
      (() => {
        const read = context.challenge && readAgentFromChallenge(context.challenge.paymentRequired)
        return read && { registry: read.agentRegistry, agentId: read.agentId }
      })()
    if (!named) return undefined
    const payTo = context.payTo ?? context.requirements?.payTo
    if (payTo === undefined) throw new PayeeContextIncompleteError({ missing: 'payTo' })

    const agent = await resolve(named.registry, named.agentId)
    const { agentWallet, agentId, agentRegistry } = agent
    if (!agentWallet || !isAddress(payTo, { strict: false }) || !isAddressEqual(payTo, agentWallet))
      throw new PayeeMismatchError({ agentId, agentRegistry, payTo, agentWallet })

    let domain: VerifyAgentDomainReturnType | undefined
    if (verifyDomain) {
      const endpoint = context.url === undefined ? undefined : String(context.url)
      if (endpoint === undefined) throw new PayeeContextIncompleteError({ missing: 'url' })
      domain = await verifyAgentDomain({ agent, endpoint, fetchOptions })
      if (!domain.verified)
        throw new AgentDomainNotVerifiedError({
          reason: domain.reason,
          host: domain.host,
          url: domain.url,
          agentId,
          agentRegistry,
          cause: domain.error,
        })
    }
    return { agent, agentWallet, domain }
  }
}
