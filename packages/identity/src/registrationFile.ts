import { registrationType } from '@tollgate/contracts'
import { z } from 'zod'
import { type AgentIdInput, isSameRegistry, sameAgentId } from './agentRegistry.js'
import { InvalidRegistrationFileError } from './errors.js'

// ERC-8004 registration file (what an agentURI resolves to). Objects are loose: the ERC lets
// services and files carry more fields (OASF skills, A2A cards...), and they must survive a parse.

/** One way to reach the agent: `{ name: 'A2A', endpoint: 'https://…/agent-card.json', version }`. */
export const registrationServiceSchema = z.looseObject({
  name: z.string().min(1),
  endpoint: z.string().min(1),
  version: z.string().optional(),
})

/** An agent id as files write it: a JSON number or a digit string. */
const agentIdSchema = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(0|[1-9][0-9]*)$/, 'Expected a digit string'),
])

/** Where the agent is registered: `{ agentId: 22, agentRegistry: 'eip155:1:0x…' }`. */
export const registrationEntrySchema = z.looseObject({
  agentId: agentIdSchema,
  agentRegistry: z
    .string()
    .regex(/^eip155:[1-9][0-9]*:0x[0-9a-fA-F]{40}$/, 'Expected "eip155:<chainId>:<address>"'),
})

/** The registration file of ERC-8004 (current, January 2026 shape). */
export const registrationFileSchema = z.looseObject({
  type: z.literal(registrationType),
  name: z.string().min(1),
  description: z.string().optional(),
  image: z.string().optional(),
  services: z.array(registrationServiceSchema),
  x402Support: z.boolean().optional(),
  active: z.boolean().optional(),
  registrations: z.array(registrationEntrySchema),
  supportedTrust: z.array(z.string()).optional(),
})

export type RegistrationFile = z.infer<typeof registrationFileSchema>
export type RegistrationService = z.infer<typeof registrationServiceSchema>
export type RegistrationEntry = z.infer<typeof registrationEntrySchema>

/** Trust models ERC-8004 names; others are allowed. */
export type SupportedTrust = 'reputation' | 'crypto-economic' | 'tee-attestation' | (string & {})

/** Where one of the agent's protocols answers: an endpoint and the protocol version it speaks. */
export type AgentEndpoint = {
  /** For A2A, the agent card's URL (`https://agent.example/.well-known/agent-card.json`). */
  endpoint: string
  /** The protocol version (A2A `'1.0'` or `'0.3.0'`; MCP `'2025-06-18'`). */
  version?: string | undefined
}

export type CreateRegistrationFileParameters = {
  name: string
  description?: string | undefined
  /** An image URL, for ERC-721 apps. */
  image?: string | undefined
  /** @default [] */
  services?: readonly RegistrationService[] | undefined
  /** The agent's A2A card, listed after `services` as `{ name: 'A2A', endpoint, version }`. */
  a2a?: AgentEndpoint | undefined
  /** The agent's MCP server, listed after `services` (and `a2a`) as `{ name: 'MCP', endpoint, version }`. */
  mcp?: AgentEndpoint | undefined
  /** Whether the agent's services accept x402 payments. @default false */
  x402Support?: boolean | undefined
  /** @default true */
  active?: boolean | undefined
  /** Usually left empty: `registerAgent` adds this registration once the id is known. @default [] */
  registrations?: readonly RegistrationEntry[] | undefined
  /** Omitted when empty: ERC-8004 is then used for discovery only. */
  supportedTrust?: readonly SupportedTrust[] | undefined
}

/**
 * Builds a valid registration file (the `type` constant first, then the fields in the ERC's order).
 *
 * @example
 * import { createRegistrationFile } from '@tollgate/identity'
 *
 * const file = createRegistrationFile({
 *   name: 'weather-agent',
 *   description: 'Paid weather reports',
 *   services: [{ name: 'web', endpoint: 'https://weather.example/api' }],
 *   a2a: { endpoint: 'https://weather.example/.well-known/agent-card.json', version: '1.0' },
 *   x402Support: true,
 * })
 */
export function createRegistrationFile(
  parameters: CreateRegistrationFileParameters,
): RegistrationFile {
  const {
    name,
    description,
    image,
    services = [],
    a2a,
    mcp,
    x402Support = false,
    active = true,
    registrations = [],
    supportedTrust,
  } = parameters
  return validateRegistrationFile({
    type: registrationType,
    name,
    ...(description === undefined ? {} : { description }),
    ...(image === undefined ? {} : { image }),
    services: [...services, ...protocolService('A2A', a2a), ...protocolService('MCP', mcp)],
    x402Support,
    active,
    registrations: [...registrations],
    ...(supportedTrust === undefined || supportedTrust.length === 0
      ? {}
      : { supportedTrust: [...supportedTrust] }),
  })
}

/** The service entry of a protocol endpoint, in the ERC's spelling (`A2A`, `MCP`). */
function protocolService(name: 'A2A' | 'MCP', given: AgentEndpoint | undefined) {
  if (!given) return []
  const { endpoint, version } = given
  return [{ name, endpoint, ...(version === undefined ? {} : { version }) }]
}

/**
 * Reads a registration file (an object, JSON text or UTF-8 bytes), accepting the legacy spellings
 * readers meet in the wild: `endpoints` for `services`, `x402support` for `x402Support`, and a
 * missing `registrations`. Throws `InvalidRegistrationFileError`.
 */
export function parseRegistrationFile(input: unknown): RegistrationFile {
  return normalizeRegistrationFile(input).file
}

/** {@link parseRegistrationFile}, also telling which legacy spellings the file used. */
export function normalizeRegistrationFile(input: unknown): {
  file: RegistrationFile
  legacyFields: string[]
} {
  const raw = toJson(input)
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidRegistrationFileError({
      issues: [{ path: [], message: 'Expected a JSON object' }],
    })
  const copy: Record<string, unknown> = { ...(raw as Record<string, unknown>) }
  const legacyFields: string[] = []
  if (copy.services === undefined && copy.endpoints !== undefined) {
    copy.services = copy.endpoints
    delete copy.endpoints
    legacyFields.push('endpoints')
  }
  if (copy.x402Support === undefined && copy.x402support !== undefined) {
    copy.x402Support = copy.x402support
    delete copy.x402support
    legacyFields.push('x402support')
  }
  if (copy.registrations === undefined) copy.registrations = []
  return { file: validateRegistrationFile(copy), legacyFields }
}

/** The file with `(agentRegistry, agentId)` in its `registrations` (added once, never twice). */
export function withRegistration(
  file: RegistrationFile,
  { agentRegistry, agentId }: { agentRegistry: string; agentId: bigint },
): RegistrationFile {
  if (hasRegistration(file, { agentRegistry, agentId })) return file
  const id = agentId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(agentId) : agentId.toString()
  return { ...file, registrations: [...file.registrations, { agentId: id, agentRegistry }] }
}

/**
 * Whether the file's `registrations` names this registry and id (address case-insensitive, the
 * id a number or a digit string).
 */
export function hasRegistration(
  file: { registrations: readonly RegistrationEntry[] },
  { agentRegistry, agentId }: { agentRegistry: string; agentId: AgentIdInput },
): boolean {
  const match = /^eip155:([0-9]+):(0x[0-9a-fA-F]{40})$/.exec(agentRegistry)
  if (!match) return false
  const registry = { chainId: Number(match[1]), address: match[2] as `0x${string}` }
  return file.registrations.some(
    (entry) => isSameRegistry(entry.agentRegistry, registry) && sameAgentId(entry.agentId, agentId),
  )
}

/** The first service with this name (names compare case-insensitively: `a2a` finds `A2A`). */
export function findService(
  services: readonly RegistrationService[],
  name: string,
): RegistrationService | undefined {
  const wanted = name.toLowerCase()
  return services.find((service) => service.name.toLowerCase() === wanted)
}

/** Checks a file against the current schema (no legacy spellings); `InvalidRegistrationFileError`. */
export function validateRegistrationFile(value: unknown): RegistrationFile {
  const result = registrationFileSchema.safeParse(value)
  if (!result.success) throw new InvalidRegistrationFileError({ issues: result.error.issues })
  return result.data
}

function toJson(input: unknown): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input
  try {
    const text =
      typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)
    return JSON.parse(text)
  } catch (cause) {
    throw new InvalidRegistrationFileError({
      issues: [{ path: [], message: 'Not UTF-8 JSON' }],
      cause,
    })
  }
}
