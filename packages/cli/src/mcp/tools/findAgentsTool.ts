import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { findAgents } from '@tollgate/identity'
import type { Address, Chain, PublicClient, Transport } from 'viem'
import { z } from 'zod'
import { jsonResult, type Redact, reasonOf } from './result.js'

/** Where `x402_find_agents` looks: a chain and its Identity Registry, when configured. */
export type AgentRegistryContext = {
  registry: { publicClient: PublicClient<Transport, Chain>; address: Address } | undefined
  allowHttp: boolean
  redact: Redact
}

/** Registers `x402_find_agents`: agents of an ERC-8004 Identity Registry, their services and wallets. */
export function registerFindAgentsTool(server: McpServer, context: AgentRegistryContext): void {
  server.registerTool(
    'x402_find_agents',
    {
      title: 'Find agents in the ERC-8004 registry',
      description:
        'Scans the configured ERC-8004 Identity Registry for agents, optionally those offering a service (web, MCP, A2A) or accepting x402, with their endpoints and verified payment wallets.',
      inputSchema: {
        service: z.string().min(1).optional().describe('A service name, e.g. web, MCP or A2A'),
        x402: z.boolean().optional().describe('Only agents that accept x402 payments'),
        fromBlock: z.number().int().min(0).optional(),
      },
    },
    async ({ service, x402, fromBlock }) => {
      const { registry, redact } = context
      if (!registry)
        return jsonResult(
          {
            failed: true,
            reason:
              'No registry configured: start tollgate mcp with --rpc and --registry (or TOLLGATE_RPC_URL and TOLLGATE_IDENTITY_REGISTRY).',
          },
          redact,
          { isError: true },
        )
      let found: Awaited<ReturnType<typeof findAgents>>
      try {
        found = await findAgents(registry.publicClient, {
          registry: registry.address,
          ...(fromBlock !== undefined ? { fromBlock: BigInt(fromBlock) } : {}),
          filter: {
            ...(service ? { service: [service] } : {}),
            ...(x402 ? { x402Support: true } : {}),
          },
          fetchOptions: { allowHttp: context.allowHttp },
        })
      } catch (error) {
        // The registry could not be read (the RPC is down, not a registry): say so, redacted.
        return jsonResult({ failed: true, reason: reasonOf(error) }, redact, { isError: true })
      }
      return jsonResult(
        {
          agents: found.map((agent) => ({
            agentId: agent.agentId.toString(),
            name: agent.resolved?.file?.name ?? null,
            wallet: agent.agentWallet ?? null,
            x402: agent.resolved?.file?.x402Support ?? false,
            services: (agent.resolved?.services ?? []).map(({ name, endpoint }) => ({
              name,
              endpoint,
            })),
          })),
        },
        redact,
      )
    },
  )
}
