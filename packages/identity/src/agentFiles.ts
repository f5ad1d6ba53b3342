import type { AgentFromEvents } from './agentEvents.js'
import type { ResolvedRegistry } from './agentRegistry.js'
import type { FetchDocumentParameters } from './fetchDocument.js'
import type { FindAgentsFilter, FoundAgent } from './findAgents.js'
import { findService } from './registrationFile.js'
import { type ResolvedAgent, toResolvedAgent } from './resolveAgent.js'

/**
 * Each agent with its registration file, `concurrency` fetches at a time; an agent whose file
 * cannot be read keeps the error in `fileError`.
 */
export function attachFiles(
  agents: readonly AgentFromEvents[],
  registry: ResolvedRegistry,
  {
    concurrency,
    fetchOptions,
  }: { concurrency: number; fetchOptions?: FetchDocumentParameters | undefined },
): Promise<FoundAgent[]> {
  return mapLimit(agents, concurrency, async (agent): Promise<FoundAgent> => {
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
}

/** Whether an agent's file says what `filter` asks (no readable file: no). */
export function matches(agent: ResolvedAgent | undefined, filter: FindAgentsFilter): boolean {
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
