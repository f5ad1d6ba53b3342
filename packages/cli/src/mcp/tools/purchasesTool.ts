import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { Asset } from '@tollgate/evm'
import type { Purchases } from '@tollgate/fetch'
import { z } from 'zod'
import { describeReceipt } from './describeReceipt.js'
import { jsonResult, type Redact } from './result.js'

/** Registers `x402_purchases`: the payments made, newest first, and what became of each. */
export function registerPurchasesTool(
  server: McpServer,
  { purchases, assets, redact }: { purchases: Purchases; assets: readonly Asset[]; redact: Redact },
): void {
  server.registerTool(
    'x402_purchases',
    {
      title: 'Payments made and their states',
      description:
        'The payments made (newest first): settled (paid), refused (not charged) or indeterminate (not known yet, money held), with amounts and transactions.',
      inputSchema: {
        status: z.enum(['settled', 'refused', 'indeterminate']).optional(),
        limit: z.number().int().min(1).max(200).default(20),
      },
    },
    async ({ status, limit }) => {
      const all = await purchases.list()
      const chosen = all
        .filter((receipt) => status === undefined || receipt.status === status)
        .sort((a, b) => b.at - a.at)
        .slice(0, limit)
      return jsonResult(
        {
          count: chosen.length,
          purchases: chosen.map((receipt) => describeReceipt(receipt, assets)),
        },
        redact,
      )
    },
  )
}
