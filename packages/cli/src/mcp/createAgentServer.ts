import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Address } from 'viem'
import { version } from '../version.js'
import type { McpConfig } from './mcpConfig.js'
import type { Agent } from './prepareAgent.js'
import { registerBudgetTool } from './tools/budgetTool.js'
import { registerFetchTool } from './tools/fetchTool.js'
import { registerFindAgentsTool } from './tools/findAgentsTool.js'
import { registerPurchasesTool } from './tools/purchasesTool.js'
import type { Redact } from './tools/result.js'

/** An MCP server with the tools of `tollgate mcp`, over one agent (one per HTTP request, or stdio). */
export function createAgentServer(
  agent: Agent,
  { config, redact }: { config: McpConfig; redact: Redact },
): McpServer {
  const server = new McpServer({ name: 'tollgate', version })
  registerFetchTool(server, {
    pay: agent.pay,
    maxPrice: agent.maxPrice,
    ceiling: config.maxPerCall,
    assets: agent.assets,
    redact,
  })
  registerBudgetTool(server, { policy: agent.policy, ceiling: config.maxPerCall, redact })
  registerPurchasesTool(server, { purchases: agent.pay.purchases, assets: agent.assets, redact })
  registerFindAgentsTool(server, {
    registry:
      agent.connection && config.identityRegistry
        ? {
            publicClient: agent.connection.publicClient,
            address: config.identityRegistry as Address,
          }
        : undefined,
    allowHttp: config.allowHttp,
    redact,
  })
  return server
}
