import { agentRegistrationPath } from '@tollgate/core'
import { z } from 'zod'
import type { AgentIdInput } from './agentRegistry.js'
import type { FetchDocumentError } from './errors.js'
import { type FetchDocumentParameters, fetchDocument, toHttpUrl } from './fetchDocument.js'
import { hasRegistration, registrationEntrySchema } from './registrationFile.js'

export type VerifyAgentDomainParameters = {
  /** The agent (a `ResolvedAgent` will do): its registration and the URI of its file. */
  agent: { agentId: AgentIdInput; agentRegistry: string; agentURI: string }
  /** An endpoint of the agent (e.g. a service's `endpoint`); its host is checked. */
  endpoint: string
  /** Limits and schemes for reading the `.well-known` file (https only unless `allowHttp`). */
  fetchOptions?: FetchDocumentParameters | undefined
}

/** Why a domain is not verified. */
export type DomainVerificationFailure =
  /** The endpoint is not an https URL (http only with `allowHttp`). */
  | 'scheme'
  /** The `.well-known` file could not be fetched (see `error`). */
  | 'unreachable'
  /** The `.well-known` file is not JSON with a `registrations` array. */
  | 'invalid'
  /** The file does not name this registry and agent id. */
  | 'mismatch'

export type VerifyAgentDomainReturnType =
  | {
      verified: true
      /** `well-known`: the file names the agent; `agent-uri-host`: the host serves the agentURI. */
      method: 'well-known' | 'agent-uri-host'
      host: string
      url: string
    }
  | {
      verified: false
      reason: DomainVerificationFailure
      host: string
      url: string
      error?: FetchDocumentError | undefined
    }

const wellKnownSchema = z.looseObject({ registrations: z.array(z.unknown()) })

/**
 * Checks that the endpoint's host belongs to the agent: its
 * `/.well-known/agent-registration.json` (core's `agentRegistrationPath`) must list this registry
 * and agent id. Skipped (verified) when the same host (and port) serves the agent URI. Returns the outcome, never throws for a
 * failed check.
 *
 * @example
 * import { resolveAgent, verifyAgentDomain } from '@tollgate/identity'
 *
 * const agent = await resolveAgent(publicClient, { registry, agentId })
 * const result = await verifyAgentDomain({ agent, endpoint: agent.getService('web')!.endpoint })
 * if (!result.verified) console.warn(`not the agent's domain: ${result.reason}`)
 */
export async function verifyAgentDomain(
  parameters: VerifyAgentDomainParameters,
): Promise<VerifyAgentDomainReturnType> {
  const { agent, endpoint, fetchOptions } = parameters
  let endpointUrl: URL
  try {
    endpointUrl = toHttpUrl(endpoint, { allowHttp: fetchOptions?.allowHttp })
  } catch (error) {
    return {
      verified: false,
      reason: 'scheme',
      host: safeHost(endpoint),
      url: endpoint,
      error: error as FetchDocumentError,
    }
  }
  const host = endpointUrl.host.toLowerCase()
  const url = new URL(agentRegistrationPath, endpointUrl.origin).href

  if (agentUriHost(agent.agentURI, fetchOptions) === host)
    return { verified: true, method: 'agent-uri-host', host, url: agent.agentURI }

  let document: unknown
  try {
    const { bytes } = await fetchDocument(url, fetchOptions)
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError)
      return { verified: false, reason: 'invalid', host, url }
    return { verified: false, reason: 'unreachable', host, url, error: error as FetchDocumentError }
  }
  const parsed = wellKnownSchema.safeParse(document)
  if (!parsed.success) return { verified: false, reason: 'invalid', host, url }
  // Entries that are not well-formed registrations are ignored, not fatal: one is enough.
  const registrations = parsed.data.registrations.flatMap((entry) => {
    const result = registrationEntrySchema.safeParse(entry)
    return result.success ? [result.data] : []
  })
  const named = hasRegistration(
    { registrations },
    {
      agentRegistry: agent.agentRegistry,
      agentId: agent.agentId,
    },
  )
  return named
    ? { verified: true, method: 'well-known', host, url }
    : { verified: false, reason: 'mismatch', host, url }
}

/**
 * The lower-case host (with port) of an http(s) agent URI. Not for ipfs: (the gateway's host
 * proves nothing about the agent) nor data:.
 */
function agentUriHost(agentURI: string, options: FetchDocumentParameters | undefined) {
  if (!/^https?:/i.test(agentURI)) return undefined
  try {
    return toHttpUrl(agentURI, options).host.toLowerCase()
  } catch {
    return undefined
  }
}

function safeHost(value: string): string {
  try {
    return new URL(value).host.toLowerCase()
  } catch {
    return ''
  }
}
