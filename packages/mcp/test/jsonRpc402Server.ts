import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import type { PaymentPayload, PaymentRequired } from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'

/** How the test server signals payment: the error code, and where the challenge sits in `data`. */
export type ErrorForm = { code: 402 | -32042; nested: boolean }

/**
 * An MCP server written to the superseded x402 MCP form (x402 PR #417; mark3labs/mcp-go-x402
 * still sends it): a call without a payment is a JSON-RPC error whose `data` is the
 * `PaymentRequired` (or `data.x402`), and a paid call is settled before the tool runs. Built on the
 * SDK's low-level `Server`, since `McpServer` turns thrown errors into text results.
 */
export function createJsonRpc402Server(
  facilitator: FacilitatorClient,
  { paymentRequired, form }: { paymentRequired: PaymentRequired; form: ErrorForm },
): { server: Server; runs: () => number } {
  let runs = 0
  const server = new Server(
    { name: 'legacy-402', version: '0.1.0' },
    { capabilities: { tools: {} } },
  )
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [{ name: 'quote', inputSchema: { type: 'object' as const } }],
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const payment = request.params._meta?.['x402/payment'] as PaymentPayload | undefined
    if (payment === undefined) {
      const data = form.nested ? { x402: paymentRequired } : paymentRequired
      throw new McpError(form.code, 'Payment required', data)
    }
    const paymentRequirements = paymentRequired.accepts[0]!
    const verified = await facilitator.verify({ paymentPayload: payment, paymentRequirements })
    if (!verified.isValid)
      throw new McpError(form.code, 'Payment invalid', {
        ...paymentRequired,
        error: verified.invalidReason,
      })
    const settlement = await facilitator.settle({ paymentPayload: payment, paymentRequirements })
    if (!settlement.success)
      throw new McpError(form.code, 'Settlement failed', {
        ...paymentRequired,
        'x402/payment-response': settlement,
      })
    runs++
    return {
      content: [{ type: 'text', text: 'a quote' }],
      _meta: { 'x402/payment-response': settlement },
    }
  })
  return { server, runs: () => runs }
}
