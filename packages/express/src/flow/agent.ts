import type { PaywallResponse } from './request.js'

// The provider's ERC-8004 identity. Express stays free of `@tollgate/identity`: the registration
// file is plain JSON, so it is typed here by the few fields the paywall reads.

/** The path ERC-8004 puts an agent's domain proof at (on the endpoint's host). */
export const agentRegistrationPath = '/.well-known/agent-registration.json'

/**
 * The key of the 402 `extensions` entry that names the provider's agent:
 * `extensions.erc8004 = { info: { agentRegistry, agentId }, schema }`. `@tollgate/fetch` and
 * `@tollgate/identity` read the same key.
 */
export const agentIdentityExtension = 'erc8004'

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
  agentRegistry: string
  /** A JSON number when it is a safe integer, else its decimal string (as ERC-8004 files write it). */
  agentId: number | string
  /** The `erc8004` entry of a 402's `extensions`. */
  extension: AgentIdentityExtension
  /** The registration document to serve, this registration included. */
  registrationFile(): Promise<AgentRegistrationFile>
}

/** The `erc8004` extension of a 402. */
export type AgentIdentityExtension = {
  info: { agentRegistry: string; agentId: number | string }
  schema: Record<string, unknown>
}

const agentRegistryPattern = /^eip155:[1-9][0-9]{0,19}:0x[0-9a-fA-F]{40}$/

/**
 * Checks the `agent` option; returns why it is wrong as a string instead of the resolution.
 */
export function resolveAgentOption(agent: PaywallAgent): ResolvedAgentOption | string {
  const { agentRegistry, registrationFile } = agent
  if (typeof agentRegistry !== 'string' || !agentRegistryPattern.test(agentRegistry))
    return `agentRegistry must be "eip155:<chainId>:<address>", got ${show(agentRegistry)}`
  const agentId = toJsonAgentId(agent.agentId)
  if (agentId === undefined)
    return `agentId must be a non-negative integer below 2^256, got ${show(agent.agentId)}`
  if (
    registrationFile !== undefined &&
    typeof registrationFile !== 'function' &&
    !isObject(registrationFile)
  )
    return 'registrationFile must be a JSON object or a function returning one'
  const entry = { agentId, agentRegistry }
  return {
    agentRegistry,
    agentId,
    extension: declareAgentIdentity(entry),
    async registrationFile() {
      const file =
        typeof registrationFile === 'function' ? await registrationFile() : registrationFile
      if (file === undefined) return { registrations: [entry] }
      if (!isObject(file)) throw new TypeError('registrationFile() did not return a JSON object')
      return withRegistration(file, entry)
    },
  }
}

/** The `erc8004` extension as the 402 declares it, with the JSON Schema of its `info`. */
export function declareAgentIdentity(info: {
  agentRegistry: string
  agentId: number | string
}): AgentIdentityExtension {
  return {
    info: { agentRegistry: info.agentRegistry, agentId: info.agentId },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        agentRegistry: { type: 'string', pattern: agentRegistryPattern.source },
        agentId: {
          oneOf: [
            { type: 'integer', minimum: 0 },
            { type: 'string', pattern: '^(0|[1-9][0-9]*)$' },
          ],
        },
      },
      required: ['agentRegistry', 'agentId'],
    },
  }
}

/**
 * The answer to `GET`/`HEAD /.well-known/agent-registration.json`: public JSON any origin may
 * read (agents check it from browsers too), cached briefly.
 */
export async function agentRegistrationResponse(
  agent: ResolvedAgentOption,
  { method, cors }: { method: string; cors: boolean },
): Promise<PaywallResponse> {
  const file = await agent.registrationFile()
  const body = JSON.stringify(file)
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'public, max-age=300',
      ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}),
    },
    body: method === 'HEAD' ? '' : body,
  }
}

/** `registrations` with this entry once (the id compared as a number, the address any case). */
function withRegistration(
  file: AgentRegistrationFile,
  entry: { agentId: number | string; agentRegistry: string },
): AgentRegistrationFile {
  const registrations: readonly unknown[] = Array.isArray(file.registrations)
    ? file.registrations
    : []
  const named = registrations.some(
    (existing) =>
      isObject(existing) &&
      typeof existing.agentRegistry === 'string' &&
      existing.agentRegistry.toLowerCase() === entry.agentRegistry.toLowerCase() &&
      toJsonAgentId(existing.agentId as never) === entry.agentId,
  )
  if (named) return file
  return { ...file, registrations: [...(registrations as AgentRegistrationEntry[]), entry] }
}

/** An agent id as JSON writes it: a number when exact, else a decimal string; `undefined` if invalid. */
function toJsonAgentId(agentId: bigint | number | string): number | string | undefined {
  let id: bigint
  if (typeof agentId === 'bigint') id = agentId
  else if (typeof agentId === 'number' && Number.isSafeInteger(agentId)) id = BigInt(agentId)
  else if (typeof agentId === 'string' && /^(0|[1-9][0-9]{0,77})$/.test(agentId))
    id = BigInt(agentId)
  else return undefined
  if (id < 0n || id >= 2n ** 256n) return undefined
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id.toString()
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
