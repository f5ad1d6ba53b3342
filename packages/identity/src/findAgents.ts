import { agentWalletKey, identityRegistryAbi } from '@tollgate/contracts'
import type { InvalidAgentReferenceErrorType } from '@tollgate/core'
import {
  type Address,
  type Client,
  getAbiItem,
  getAddress,
  type Hash,
  type Hex,
  size,
  zeroAddress,
} from 'viem'
import { getBlockNumber, getLogs } from 'viem/actions'
import { type AgentRegistry, resolveRegistry } from './agentRegistry.js'
import type { RegistryChainMismatchErrorType } from './errors.js'
import type { FetchDocumentParameters } from './fetchDocument.js'
import { findService } from './registrationFile.js'
import { type ResolvedAgent, toResolvedAgent } from './resolveAgent.js'
import { scanBlocks } from './scanBlocks.js'

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

const registryEvents = [
  getAbiItem({ abi: identityRegistryAbi, name: 'Registered' }),
  getAbiItem({ abi: identityRegistryAbi, name: 'URIUpdated' }),
  getAbiItem({ abi: identityRegistryAbi, name: 'Transfer' }),
] as const
const metadataSetEvent = getAbiItem({ abi: identityRegistryAbi, name: 'MetadataSet' })

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

  const logs = await scanBlocks({ fromBlock, toBlock, chunkSize }, async (from, to) => {
    const [registryLogs, walletLogs] = await Promise.all([
      getLogs(client, {
        address: registry.address,
        events: registryEvents,
        fromBlock: from,
        toBlock: to,
      }),
      getLogs(client, {
        address: registry.address,
        event: metadataSetEvent,
        args: { indexedMetadataKey: agentWalletKey },
        fromBlock: from,
        toBlock: to,
      }),
    ])
    // Apply in chain order: a transfer clears the wallet before the new owner sets it again.
    return [...registryLogs, ...walletLogs].sort((a, b) =>
      a.blockNumber === b.blockNumber
        ? (a.logIndex ?? 0) - (b.logIndex ?? 0)
        : a.blockNumber! < b.blockNumber!
          ? -1
          : 1,
    )
  })

  const agents = new Map<bigint, Omit<FoundAgent, 'resolved' | 'fileError'>>()
  for (const log of logs) {
    switch (log.eventName) {
      case 'Registered': {
        const { agentId, agentURI, owner } = log.args
        agents.set(agentId!, {
          agentId: agentId!,
          owner: getAddress(owner!),
          agentURI: agentURI ?? '',
          agentWallet: getAddress(owner!),
          registeredAt: { blockNumber: log.blockNumber!, transactionHash: log.transactionHash! },
        })
        break
      }
      case 'URIUpdated': {
        const agent = agents.get(log.args.agentId!)
        if (agent) agent.agentURI = log.args.newURI ?? ''
        break
      }
      case 'Transfer': {
        const agent = agents.get(log.args.tokenId!)
        if (agent) agent.owner = getAddress(log.args.to!)
        break
      }
      case 'MetadataSet': {
        const agent = agents.get(log.args.agentId!)
        if (agent) agent.agentWallet = toWallet(log.args.metadataValue)
        break
      }
    }
  }

  const found = [...agents.values()]
    .filter((agent) => agent.owner !== zeroAddress)
    .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
  if (!includeFiles)
    return found.map((agent) => ({ ...agent, resolved: undefined, fileError: undefined }))

  const withFiles = await mapLimit(found, concurrency, async (agent): Promise<FoundAgent> => {
    try {
      const resolved = await toResolvedAgent({
        agentId: agent.agentId,
        chainId: registry.chainId,
        registry: registry.address,
        agentRegistry: registry.agentRegistry,
        owner: agent.owner,
        agentURI: agent.agentURI,
        wallet: agent.agentWallet,
        fetchOptions,
      })
      return { ...agent, resolved, fileError: undefined }
    } catch (fileError) {
      return { ...agent, resolved: undefined, fileError }
    }
  })
  return filter ? withFiles.filter((agent) => matches(agent.resolved, filter)) : withFiles
}

function matches(agent: ResolvedAgent | undefined, filter: FindAgentsFilter): boolean {
  const file = agent?.file
  if (!agent || !file) return false
  const services = typeof filter.service === 'string' ? [filter.service] : (filter.service ?? [])
  if (!services.every((name) => findService(agent.services, name))) return false
  if (filter.x402Support !== undefined && (file.x402Support ?? false) !== filter.x402Support)
    return false
  if (filter.active !== undefined && (file.active ?? true) !== filter.active) return false
  if (
    filter.supportedTrust !== undefined &&
    !(file.supportedTrust ?? []).includes(filter.supportedTrust)
  )
    return false
  return true
}

/** The wallet in a `MetadataSet("agentWallet")` value: 20 packed bytes, or empty when cleared. */
function toWallet(value: Hex | undefined): Address | undefined {
  if (!value || size(value) !== 20) return undefined
  const wallet = getAddress(value)
  return wallet === zeroAddress ? undefined : wallet
}

async function mapLimit<item, result>(
  items: readonly item[],
  limit: number,
  fn: (item: item) => Promise<result>,
): Promise<result[]> {
  const results = new Array<result>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}
