import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js'
import {
  type CallToolRequest,
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import { encodeHeader, type PaymentPayload, type PaymentPayloadV1 } from '@tollgate/core'
import { type Attempt, type Payer, readSettlementValue } from '@tollgate/payer'
import type { McpPaymentKeys } from '../keys.js'
import { readErrorChallenge, readResultChallenge } from './readToolChallenge.js'
import { attachReceipt } from './receipts.js'

/** What the MCP transport of the payer holds: the SDK client, the payer, the `_meta` keys. */
export type ToolTransport = {
  readonly client: Client
  readonly payer: Payer
  readonly keys: McpPaymentKeys
  /** `json`: the payment object itself (the x402 MCP transport); `base64`: its base64 JSON string. */
  readonly paymentEncoding: 'json' | 'base64'
}

/** One tool call: its parameters, the SDK's request options, and the tool's URL for the policy. */
export type ToolRequest = {
  readonly params: CallToolRequest['params']
  readonly options: RequestOptions | undefined
  readonly url: URL
}

/**
 * Sends `tools/call`, with a payment in `params._meta` when given. `Client.request` rather than
 * `Client.callTool`: `callTool` checks `structuredContent` against the tool's output schema even
 * on `isError`, and would throw away a challenge, or a paid result's settlement, of a server that
 * does not widen its schema.
 */
export function sendToolCall(
  { client, keys, paymentEncoding }: ToolTransport,
  { params, options }: ToolRequest,
  payment?: PaymentPayload | PaymentPayloadV1 | undefined,
): Promise<CallToolResult> {
  const value = paymentEncoding === 'base64' && payment ? encodeHeader(payment) : payment
  const sent =
    payment === undefined
      ? params
      : { ...params, _meta: { ...params._meta, [keys.payment]: value } }
  return client.request(
    { method: 'tools/call', params: sent },
    CallToolResultSchema,
    options,
  ) as Promise<CallToolResult>
}

/**
 * Sends the call with an attempt's payment and tells the payer what came back: the result's status
 * (200, `isError` 500, a challenge again 402) and the settlement in its `_meta`; a JSON-RPC 402 is a
 * refusal, another JSON-RPC error an answer without a settlement; a timeout or a closed connection
 * is no answer (the payment may be spent), and a client never connected never sent it.
 */
export async function exchange(
  transport: ToolTransport,
  request: ToolRequest,
  attempt: Attempt,
): Promise<CallToolResult> {
  const origin = { tool: request.params.name, url: request.url }
  let result: CallToolResult
  try {
    result = await sendToolCall(transport, request, attempt.payload)
  } catch (error) {
    await reportFailure(transport, attempt, error, origin)
    throw error
  }
  const receipt = await attempt.answered({
    status: statusOf(result, origin),
    settlement: readSettlementValue(result._meta?.[transport.keys.paymentResponse]),
  })
  attachReceipt(result, receipt)
  return result
}

async function reportFailure(
  { keys }: ToolTransport,
  attempt: Attempt,
  error: unknown,
  origin: { tool: string; url: URL },
): Promise<void> {
  if (!(error instanceof McpError)) {
    // The SDK refuses a request on a client that is not connected before anything is written.
    if (error instanceof Error && error.message === 'Not connected') await attempt.notSent()
    else await attempt.lost()
    return
  }
  if (error.code === ErrorCode.RequestTimeout || error.code === ErrorCode.ConnectionClosed) {
    await attempt.lost()
    return
  }
  const data = error.data as Record<string, unknown> | undefined
  await attempt.answered({
    status: isChallenge(() => readErrorChallenge(error, origin)) ? 402 : 500,
    settlement: readSettlementValue(data?.[keys.paymentResponse]),
  })
}

/** A tool result as an HTTP status, as the payer reads answers. */
function statusOf(result: CallToolResult, origin: { tool: string; url: URL }): number {
  if (isChallenge(() => readResultChallenge(result, origin))) return 402
  return result.isError === true ? 500 : 200
}

/** Whether an answer asks for payment again; one that claims to and does not parse still does. */
function isChallenge(read: () => unknown): boolean {
  try {
    return read() !== undefined
  } catch {
    return true
  }
}
