import { type Address, type Client, getAddress, isAddress } from 'viem'
import { getChainId } from 'viem/actions'
import { InvalidAgentReferenceError, RegistryChainMismatchError } from './errors.js'

/** `eip155:<chainId>:<identity registry>`: ERC-8004's global name of a registry. */
export type AgentRegistry = `eip155:${number}:0x${string}`

/** An agent id as ERC-8004 files write it (number or digit string) or as the chain returns it. */
export type AgentIdInput = bigint | number | string

/** Which agent: its id in a registry given as an address or as `eip155:<chainId>:<address>`. */
export type AgentReference = {
  /** The Identity Registry: its address (on the client's chain) or its `agentRegistry` name. */
  registry: Address | AgentRegistry | string
  agentId: AgentIdInput
}

const agentRegistryPattern = /^eip155:([1-9][0-9]{0,19}):(0x[0-9a-fA-F]{40})$/

/** `eip155:<chainId>:<address>` (the address checksummed). */
export function formatAgentRegistry({
  chainId,
  address,
}: {
  chainId: number
  address: Address
}): AgentRegistry {
  return `eip155:${chainId}:${getAddress(address)}`
}

/** Splits `eip155:<chainId>:<address>`; throws `InvalidAgentReferenceError` otherwise. */
export function parseAgentRegistry(agentRegistry: string): { chainId: number; address: Address } {
  const match = agentRegistryPattern.exec(agentRegistry)
  const chainId = match ? Number(match[1]) : Number.NaN
  if (!match || !Number.isSafeInteger(chainId))
    throw new InvalidAgentReferenceError({
      value: agentRegistry,
      expected: 'an agent registry "eip155:<chainId>:<address>"',
    })
  return { chainId, address: getAddress(match[2]!) }
}

/** An agent id as a `bigint` (ids are `uint256`); throws `InvalidAgentReferenceError` otherwise. */
export function toAgentId(agentId: AgentIdInput): bigint {
  if (typeof agentId === 'bigint' && agentId >= 0n && agentId < 2n ** 256n) return agentId
  if (typeof agentId === 'number' && Number.isSafeInteger(agentId) && agentId >= 0)
    return BigInt(agentId)
  if (typeof agentId === 'string' && /^(0|[1-9][0-9]{0,77})$/.test(agentId)) {
    const id = BigInt(agentId)
    if (id < 2n ** 256n) return id
  }
  throw new InvalidAgentReferenceError({
    value: String(agentId),
    expected: 'an agent id (a non-negative integer below 2^256)',
  })
}

/** Whether two agent ids are the same, whatever their spelling (`22`, `"22"`, `22n`). */
export function sameAgentId(a: AgentIdInput, b: AgentIdInput): boolean {
  try {
    return toAgentId(a) === toAgentId(b)
  } catch {
    return false
  }
}

/** The chain id of the client: its `chain` when it has one, else `eth_chainId`. */
export async function getClientChainId(client: Client): Promise<number> {
  return client.chain?.id ?? getChainId(client)
}

/**
 * The registry's address and chain for a client: an address is taken on the client's chain; an
 * `eip155:` name must name that chain (`RegistryChainMismatchError` otherwise).
 */
export async function resolveRegistry(
  client: Client,
  registry: string,
): Promise<{ address: Address; chainId: number; agentRegistry: AgentRegistry }> {
  const chainId = await getClientChainId(client)
  if (isAddress(registry, { strict: false })) {
    const address = getAddress(registry)
    return { address, chainId, agentRegistry: formatAgentRegistry({ chainId, address }) }
  }
  const parsed = parseAgentRegistry(registry)
  if (parsed.chainId !== chainId)
    throw new RegistryChainMismatchError({ expected: parsed.chainId, actual: chainId })
  return {
    address: parsed.address,
    chainId,
    agentRegistry: formatAgentRegistry({ chainId, address: parsed.address }),
  }
}

/** Whether `agentRegistry` names this registry (chain and address, address case-insensitive). */
export function isSameRegistry(
  agentRegistry: string,
  { chainId, address }: { chainId: number; address: Address },
): boolean {
  const match = agentRegistryPattern.exec(agentRegistry)
  return (
    match !== null &&
    Number(match[1]) === chainId &&
    match[2]!.toLowerCase() === address.toLowerCase()
  )
}
