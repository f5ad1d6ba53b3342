import type { AsyncLocalStorage } from 'node:async_hooks'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { parseMoney } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { getReceipt, PolicyRefusedError, type WrapFetchReturnType } from '@tollgate/fetch'
import { z } from 'zod'
import { describeReceipt } from './describeReceipt.js'
import { jsonResult, type Redact, reasonOf } from './result.js'

/** What `x402_fetch` works with: the paying fetch and the per-call ceiling it may lower. */
export type FetchToolContext = {
  pay: WrapFetchReturnType<typeof fetch>
  /** The call's own `maxPrice`, read by the policy's `expectPrice` while the call runs. */
  maxPrice: AsyncLocalStorage<string | undefined>
  /** The configured ceiling of one call (`maxPerCall`). */
  ceiling: string
  assets: readonly Asset[]
  redact: Redact
}

/** The most of a response body a tool result carries. */
const maxBodyChars = 32_768

const inputSchema = {
  url: z.string().url().describe('The http(s) URL of the API'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers'),
  body: z.string().optional().describe('The request body (text or JSON)'),
  maxPrice: z
    .string()
    .optional()
    .describe("The most this call may cost, in whole units ('$0.05'); never above the ceiling"),
  purchaseId: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Names the call as one purchase: calling again with it never pays twice'),
}

/** Registers `x402_fetch`: call a URL, pay its 402 within the policy and the call's ceiling. */
export function registerFetchTool(server: McpServer, context: FetchToolContext): void {
  server.registerTool(
    'x402_fetch',
    {
      title: 'Call an API, paying it if it asks (x402)',
      description: `Calls an http(s) URL. When it answers 402 Payment Required (x402), pays it from the agent's wallet, within the spending policy: at most ${context.ceiling} a call (or maxPrice, when lower), within the budget (see x402_budget). A refused payment is never signed, and the reason is returned.`,
      inputSchema,
    },
    (args) => fetchPaying(context, args),
  )
}

async function fetchPaying(
  context: FetchToolContext,
  args: {
    url: string
    method: string
    headers?: Record<string, string> | undefined
    body?: string | undefined
    maxPrice?: string | undefined
    purchaseId?: string | undefined
  },
): Promise<CallToolResult> {
  const { redact } = context
  if (args.maxPrice !== undefined && !isAmount(args.maxPrice))
    return jsonResult(
      { refused: true, reason: `maxPrice "${args.maxPrice}" is not an amount such as '$0.05'` },
      redact,
      { isError: true },
    )
  try {
    const response = await context.maxPrice.run(args.maxPrice, () =>
      context.pay(args.url, {
        method: args.method,
        ...(args.headers ? { headers: args.headers } : {}),
        ...(args.body !== undefined ? { body: args.body } : {}),
        ...(args.purchaseId ? { purchase: { id: args.purchaseId } } : {}),
      }),
    )
    const text = await response.text()
    const receipt = getReceipt(response)
    return jsonResult(
      {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: text.length > maxBodyChars ? text.slice(0, maxBodyChars) : text,
        truncated: text.length > maxBodyChars,
        payment: receipt ? describeReceipt(receipt, context.assets) : null,
      },
      redact,
      { isError: response.status >= 400 },
    )
  } catch (error) {
    return jsonResult(refusal(error), redact, { isError: true })
  }
}

/** Why nothing was paid, for the model: a policy refusal names its rule. */
function refusal(error: unknown): Record<string, unknown> {
  if (error instanceof PolicyRefusedError)
    return {
      refused: true,
      guard: error.guard,
      reason: error.shortMessage,
      nothingSigned: true,
    }
  return { refused: false, failed: true, reason: reasonOf(error) }
}

function isAmount(text: string): boolean {
  try {
    return parseMoney(text, { decimals: 18 }) > 0n
  } catch {
    return false
  }
}
