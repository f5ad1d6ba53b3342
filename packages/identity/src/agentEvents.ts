import { agentWalletKey, identityRegistryAbi } from '@tollgate/contracts'
import {
  type Address,
  type Client,
  getAbiItem,
  getAddress,
  type Hex,
  size,
  zeroAddress,
} from 'viem'
import { getLogs } from 'viem/actions'
import type { ResolvedRegistry } from './agentRegistry.js'
import type { FoundAgent } from './findAgents.js'
import { scanBlocks } from './scanBlocks.js'

/** An agent as the registry's events describe it, before its file is read. */
export type AgentFromEvents = Omit<FoundAgent, 'resolved' | 'fileError'>

const registryEvents = [
  getAbiItem({ abi: identityRegistryAbi, name: 'Registered' }),
  getAbiItem({ abi: identityRegistryAbi, name: 'URIUpdated' }),
  getAbiItem({ abi: identityRegistryAbi, name: 'Transfer' }),
] as const
const metadataSetEvent = getAbiItem({ abi: identityRegistryAbi, name: 'MetadataSet' })

type RegistryLog = Awaited<ReturnType<typeof readLogsOf>>[number]

/**
 * The registry's `Registered`, `URIUpdated`, `Transfer` and `MetadataSet("agentWallet")` logs in
 * `fromBlock..toBlock`, read in chunks, in chain order.
 */
export function readRegistryLogs(
  client: Client,
  registry: ResolvedRegistry,
  range: { fromBlock: bigint; toBlock: bigint; chunkSize: bigint },
): Promise<RegistryLog[]> {
  return scanBlocks(range, (from, to) => readLogsOf(client, registry.address, from, to))
}

async function readLogsOf(client: Client, address: Address, fromBlock: bigint, toBlock: bigint) {
  const [registryLogs, walletLogs] = await Promise.all([
    getLogs(client, { address, events: registryEvents, fromBlock, toBlock }),
    getLogs(client, {
      address,
      event: metadataSetEvent,
      args: { indexedMetadataKey: agentWalletKey },
      fromBlock,
      toBlock,
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
}

/**
 * The agents the logs leave, by id: each `Registered` makes one (its owner its first wallet), later
 * events move its URI, owner and wallet. Burned agents (owner zero) are left out.
 */
export function foldAgents(logs: readonly RegistryLog[]): AgentFromEvents[] {
  const agents = new Map<bigint, AgentFromEvents>()
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
  return [...agents.values()]
    .filter((agent) => agent.owner !== zeroAddress)
    .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
}

/** The wallet in a `MetadataSet("agentWallet")` value: 20 packed bytes, or empty when cleared. */
function toWallet(value: Hex | undefined): Address | undefined {
  if (!value || size(value) !== 20) return undefined
  const wallet = getAddress(value)
  return wallet === zeroAddress ? undefined : wallet
}
