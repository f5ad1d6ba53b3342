import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { formatMoney, parseMoney } from '@tollgate/core'
import type { Policy } from '@tollgate/fetch'
import { jsonResult, type Redact } from './result.js'

/** Registers `x402_budget`: the ceiling of one call and each budget's use and what is left. */
export function registerBudgetTool(
  server: McpServer,
  { policy, ceiling, redact }: { policy: Policy; ceiling: string; redact: Redact },
): void {
  server.registerTool(
    'x402_budget',
    {
      title: 'Spending limits and what is left',
      description:
        'The most one paid call may cost, and for each budget its limit, window, what is spent or held, and what is left.',
    },
    () =>
      jsonResult(
        {
          maxPerCall: ceiling,
          budgets: policy.usage().map((usage) => {
            const limit = String(usage.budget.limit)
            return {
              scope: usage.budget.scope ?? 'total',
              key: usage.key || null,
              limit,
              windowMs: usage.budget.windowMs ?? null,
              used: String(usage.used),
              left: leftOf(limit, usage.used),
            }
          }),
        },
        redact,
      ),
  )
}

/** `limit - used`, both whole units (`$1` and `0.03`), as whole units; `null` when not comparable. */
function leftOf(limit: string, used: string | bigint): string | null {
  if (typeof used !== 'string') return null
  try {
    const left = parseMoney(limit, { decimals: 18 }) - parseMoney(used, { decimals: 18 })
    return formatMoney(left > 0n ? left : 0n, { decimals: 18 })
  } catch {
    return null
  }
}
