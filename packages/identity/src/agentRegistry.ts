import {
  type AgentRegistryName,
  InvalidAgentReferenceError,
  parseAgentId,
  parseAgentRegistryName,
} from '@tollgate/core'
import { type Address, type Client, getAddress, isAddress } from 'viem'
import { getChainId } from 'viem/actions'
import { RegistryChainMismatchError } from './errors.js'

/**
 * `eip155:<chainId>:<identity registry>`: ERC-8004's global name of a registry (core's
 * `AgentRegistryName`; identity writes the address checksummed).
 */
export type AgentRegistry = AgentRegistryName

/** An agent id as ERC-8004 files write it (number or digit string) or as the chain returns it. */
export type AgentIdInput = bigint | number | string

/** Which agent: its id in a registry given as an address or as `eip155:<chainId>:<address>`. */
export type AgentLocator = {
  /** The Identity Registry: its address (on the client's chain) or its `agentRegistry` name. */
  registry: Address | AgentRegistry | string
  agentId: AgentIdInput
}

/** `eip155:<chainId>:<address>` (the address checksummed). */
export function formatAgentRegistry({
  chainId,
  address,
}: {
  chainId: number
  address: Address
}): AgentRegistry {
  return `eip155:${chainId}:${getAddress(address.toLowerCase())}`
}

/**
 * Splits `eip155:<chainId>:<address>`, checked by core's rule (`parseAgentRegistryName`); throws
 * `InvalidAgentReferenceError` otherwise. The address comes back checksummed.
 */
export function parseAgentRegistry(agentRegistry: string): { chainId: number; address: Address } {
  const name = parseAgentRegistryName(agentRegistry)
  const [, chainId, address] = name.split(':') as [string, string, string]
  // Core's rule takes the address in any case; checksumming its lowercase never throws.
  return { chainId: Number(chainId), address: getAddress(address.toLowerCase()) }
}

/** Whether two agent ids are the same, whatever their spelling (`22`, `"22"`, `22n`). */
export function sameAgentId(a: AgentIdInput, b: AgentIdInput): boolean {
  try {
    return parseAgentId(a) === parseAgentId(b)
  } catch {
    return false
  }
}

/** The chain id of the client: its `chain` when it has one, else `eth_chainId`. */
export async function getClientChainId(client: Client): Promise<number> {
  return client.chain?.id ?? getChainId(client)
}

/** A registry as {@link resolveRegistry} finds it for a client. */
export type ResolvedRegistry = { address: Address; chainId: number; agentRegistry: AgentRegistry }

/**
 * The registry's address and chain for a client: an address is taken on the client's chain; an
 * `eip155:` name must name that chain (`RegistryChainMismatchError` otherwise).
 */
export async function resolveRegistry(client: Client, registry: string): Promise<ResolvedRegistry> {
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
  try {
    const parsed = parseAgentRegistry(agentRegistry)
    return parsed.chainId === chainId && parsed.address.toLowerCase() === address.toLowerCase()
  } catch (error) {
    if (error instanceof InvalidAgentReferenceError) return false
    throw error
  }
}
