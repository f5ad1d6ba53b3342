import {
  type AgentReference,
  agentIdToJson,
  declareAgentReference,
  type Extension,
  InvalidAgentReferenceError,
  isSameAgentRegistry,
  parseAgentId,
  parseAgentReference,
} from '@tollgate/core'
import { AgentConfigurationError } from './errors.js'

// The provider's ERC-8004 identity. The reference codec (what a valid registry name and agent id
// are, the `erc8004` extension) is core's; the registration file is plain JSON, typed here by the
// few fields the paywall reads, so the paywall stays free of `@tollgate/identity`. Serving the
// file is the HTTP layer's (`http/wellKnown.ts`).

/** One entry of a registration file's `registrations`. */
export type AgentRegistrationEntry = {
  agentId: number | string
  agentRegistry: string
}

/**
 * An ERC-8004 registration file as the paywall serves it: any JSON object; `registrations` is the
 * part it completes. `@tollgate/identity`'s `RegistrationFile` fits.
 */
export type AgentRegistrationFile = {
  registrations?: readonly AgentRegistrationEntry[] | undefined
  [field: string]: unknown
}

/** The provider's agent identity: advertised in every 402 and proven at the well-known path. */
export type PaywallAgent = {
  /** The Identity Registry, `eip155:<chainId>:<address>`. */
  agentRegistry: string
  /** The agent's id in that registry. */
  agentId: bigint | number | string
  /**
   * What `GET /.well-known/agent-registration.json` serves: the registration file, or a function
   * that returns it (called per request, so it may change). This registration is added to its
   * `registrations` when missing.
   * @default { registrations: [{ agentId, agentRegistry }] }
   */
  registrationFile?:
    | AgentRegistrationFile
    | (() => AgentRegistrationFile | Promise<AgentRegistrationFile>)
    | undefined
}

/** The agent option checked once: its 402 extension and the well-known document. */
export type ResolvedAgentOption = {
  reference: AgentReference
  /** The `erc8004` entry of a 402's `extensions`. */
  extension: Extension
  /** The registration document to serve, this registration included. */
  registrationFile(): Promise<AgentRegistrationFile>
}

/** Checks the `agent` option; throws `AgentConfigurationError` saying what is wrong. */
export function resolveAgentOption(agent: PaywallAgent): ResolvedAgentOption {
  const { registrationFile } = agent
  let reference: AgentReference
  try {
    reference = parseAgentReference(agent)
  } catch (error) {
    if (!(error instanceof InvalidAgentReferenceError)) throw error
    const field = error.expected.startsWith('an agent id') ? 'agentId' : 'agentRegistry'
    throw new AgentConfigurationError({
      reason: `${field}: expected ${error.expected}, got ${error.value}`,
      cause: error,
    })
  }
  if (
    registrationFile !== undefined &&
    typeof registrationFile !== 'function' &&
    !isObject(registrationFile)
  )
    throw new AgentConfigurationError({
      reason: 'registrationFile must be a JSON object or a function returning one',
    })
  const entry = {
    agentId: agentIdToJson(reference.agentId),
    agentRegistry: reference.agentRegistry,
  }
  return {
    reference,
    extension: declareAgentReference(reference),
    async registrationFile() {
      const file =
        typeof registrationFile === 'function' ? await registrationFile() : registrationFile
      if (file === undefined) return { registrations: [entry] }
      if (!isObject(file))
        throw new AgentConfigurationError({
          reason: 'registrationFile() did not return a JSON object',
        })
      return withRegistration(file, reference, entry)
    },
  }
}

/** `registrations` with this entry once (the id compared as a number, the address any case). */
function withRegistration(
  file: AgentRegistrationFile,
  reference: AgentReference,
  entry: AgentRegistrationEntry,
): AgentRegistrationFile {
  const registrations: readonly unknown[] = Array.isArray(file.registrations)
    ? file.registrations
    : []
  const named = registrations.some(
    (existing) =>
      isObject(existing) &&
      typeof existing.agentRegistry === 'string' &&
      isSameAgentRegistry(existing.agentRegistry, reference.agentRegistry) &&
      sameAgentId(existing.agentId, reference.agentId),
  )
  if (named) return file
  return { ...file, registrations: [...(registrations as AgentRegistrationEntry[]), entry] }
}

/** Whether a file's `agentId` is this id; an id that does not parse is another agent's entry. */
function sameAgentId(value: unknown, agentId: bigint): boolean {
  try {
    return parseAgentId(value) === agentId
  } catch {
    return false
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
