import type { InvalidAgentReferenceErrorType } from '@tollgate/core'
import type { Address, Client, Hash } from 'viem'
import { getBlockNumber } from 'viem/actions'
import { foldAgents, readRegistryLogs } from './agentEvents.js'
import { attachFiles, matches } from './agentFiles.js'
import { type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import type { RegistryChainMismatchErrorType } from './errors.js'
import type { FetchDocumentParameters } from './fetchDocument.js'
import type { ResolvedAgent } from './resolveAgent.js'

/** What the agents' registration files must say. A filter makes `findAgents` fetch the files. */
export type FindAgentsFilter = {
  /** Service name(s) the file must list (all of them, case-insensitive). */
  service?: string | readonly string[] | undefined
  /** `x402Support` must equal this (a missing field counts as `false`). */
  x402Support?: boolean | undefined
  /** `active` must equal this (a missing field counts as `true`: only `false` retires an agent). */
  active?: boolean | undefined
  /** A trust model the file must list in `supportedTrust`. */
  supportedTrust?: string | undefined
}

export type FindAgentsParameters = {
  /** The Identity Registry (address on the client's chain, or `eip155:<chainId>:<address>`). */
  registry: Address | AgentRegistry | string
  /**
   * First block scanned: the registry's deployment block. Agents registered before it are not
   * found.
   * @default 0n
   */
  fromBlock?: bigint | undefined
  /** @default the latest block */
  toBlock?: bigint | undefined
  /** Blocks per `eth_getLogs` call (a failing call is split in halves). @default 10_000n */
  chunkSize?: bigint | undefined
  filter?: FindAgentsFilter | undefined
  /** Fetch every agent's file, even without a filter. @default true when `filter` is given */
  includeFiles?: boolean | undefined
  /** Files fetched at once. @default 8 */
  concurrency?: number | undefined
  fetchOptions?: FetchDocumentParameters | undefined
}

/** An agent as the registry's events describe it at `toBlock`. */
export type FoundAgent = {
  agentId: bigint
  owner: Address
  /** The latest URI (`Registered`, then `URIUpdated`). */
  agentURI: string
  /** The verified wallet (the latest `MetadataSet("agentWallet")`); `undefined` when cleared. */
  agentWallet: Address | undefined
  registeredAt: { blockNumber: bigint; transactionHash: Hash }
  /** The agent with its file, when files were fetched and the file could be read. */
  resolved: ResolvedAgent | undefined
  /** Why the file could not be read, when files were fetched. */
  fileError: unknown
}

export type FindAgentsReturnType = FoundAgent[]

export type FindAgentsErrorType = InvalidAgentReferenceErrorType | RegistryChainMismatchErrorType

/**
 * Finds the agents of a registry by scanning its events in chunks: `Registered` (ids, first URI),
 * `URIUpdated` (latest URI), `Transfer` (owner) and `MetadataSet` for the `agentWallet` key
 * (verified wallet). With a filter, each file is fetched and matched (service names,
 * `x402Support`, `active`, `supportedTrust`); agents whose file cannot be read are left out.
 *
 * @example
 * import { findAgents } from '@tollgate/identity'
 *
 * const sellers = await findAgents(publicClient, {
 *   registry,
 *   fromBlock: 30_000_000n,
 *   filter: { service: 'web', x402Support: true, active: true },
 * })
 */
export async function findAgents(
  client: Client,
  parameters: FindAgentsParameters,
): Promise<FindAgentsReturnType> {
  const {
    fromBlock = 0n,
    chunkSize = 10_000n,
    filter,
    includeFiles = filter !== undefined,
    concurrency = 8,
    fetchOptions,
  } = parameters
  const registry = await resolveRegistry(client, parameters.registry)
  const toBlock = parameters.toBlock ?? (await getBlockNumber(client, { cacheTime: 0 }))
  const logs = await readRegistryLogs(client, registry, { fromBlock, toBlock, chunkSize })
  const found = foldAgents(logs)
  if (!includeFiles)
    return found.map((agent) => ({ ...agent, resolved: undefined, fileError: undefined }))
  const withFiles = await attachFiles(found, registry, { concurrency, fetchOptions })
  return filter ? withFiles.filter((agent) => matches(agent.resolved, filter)) : withFiles
}
