import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Asset, AuthorizationSigner, SignAuthorizationErrorType } from '@tollgate/evm'
import {
  type BudgetExceededError,
  createPayer,
  type InvalidChallengeError,
  type InvalidPolicyError,
  type InvalidPurchaseError,
  type InvalidReceiptLogError,
  type Policy,
  type PolicyParameters,
  type PolicyRefusedError,
  type PurchaseIndeterminateError,
  type PurchaseOptions,
  type Purchases,
  type RateLimitedError,
  type Receipt,
  type ReceiptLog,
  type ReconcileParameters,
  resolvePurchase,
} from '@tollgate/payer'
import { type McpPaymentKeys, resolveKeys, toolResourceName, toolUrl } from '../keys.js'
import { exchange, sendToolCall, type ToolRequest, type ToolTransport } from './exchange.js'
import { readErrorChallenge, readResultChallenge } from './readToolChallenge.js'

/** Parameters of {@link wrapMcpClient}. */
export type WrapMcpClientParameters = {
  /** Signs the payments: a viem local `Account`, or a `WalletClient` with an account. */
  account: AuthorizationSigner
  /**
   * The rules payments must pass, or a policy from `createPolicy` (share one with a paying fetch
   * to share its budgets).
   * @default createPolicy(): every guard on (see `docs/agents/guardrails.md`)
   */
  policy?: Policy | PolicyParameters | undefined
  /** Every receipt is appended here; read back on the first call (see `createPayer`). */
  receipts?: ReceiptLog | undefined
  /** Called with every receipt; errors it throws are published, never thrown. */
  onReceipt?: ((receipt: Receipt) => void | Promise<void>) | undefined
  /** Assets besides `@tollgate/evm`'s registry (devnet tokens): decimals and EIP-712 domain. */
  assets?: readonly Asset[] | undefined
  /** Where an authorization's fate is looked up (see `createPayer`). */
  reconcile?: ReconcileParameters | false | undefined
  /**
   * The server as the policy sees it (the https rule, budgets per host, price lists, rate limits
   * and pins per tool): the endpoint of a Streamable HTTP or SSE server. A tool is then
   * `<url>/tools/<name>`. Give it for every remote server: without it the server is taken for a
   * local one (stdio), `mcp://localhost/<server name>`, which the https rule lets through.
   */
  url?: string | URL | undefined
  /** The `_meta` keys of the payment and the settlement. @default the x402 MCP transport's */
  keys?: Partial<McpPaymentKeys> | undefined
  /**
   * How the payment is put in `_meta`: the object itself, as the x402 MCP transport says, or its
   * base64 JSON (the `X-PAYMENT` string), which Vercel's `x402-mcp` server requires.
   * @default 'json'
   */
  paymentEncoding?: 'json' | 'base64' | undefined
}

/** What {@link PayingMcpClient.callTool} takes besides the SDK's request options. */
export type PaidCallToolOptions = RequestOptions & {
  /** Makes the call one purchase: its retries re-send the same signed payment. */
  purchase?: PurchaseOptions | undefined
}

/** An SDK `Client` whose tool calls pay under the agent's policy. */
export type PayingMcpClient = {
  /** The client wrapped; free calls can go through it directly. */
  readonly client: Client
  /**
   * Calls a tool; a tool that asks for payment (a payment-required result, or a JSON-RPC 402) is
   * paid once, under the policy, and called again with the payment. The result is the server's
   * (`getReceipt(result)` gives the receipt); a refusal rejects before anything is signed.
   */
  callTool(
    params: CallToolRequest['params'],
    options?: PaidCallToolOptions | undefined,
  ): Promise<CallToolResult>
  /** The purchases made: their current state, reconciliation and cancellation. */
  readonly purchases: Purchases
  /** The policy payments pass (its `usage()` reads the budgets). */
  readonly policy: Policy
}

/** What `callTool` rejects with, besides the SDK's own errors. */
export type CallPaidToolErrorType =
  | PolicyRefusedError
  | BudgetExceededError
  | RateLimitedError
  | InvalidPolicyError
  | InvalidChallengeError
  | InvalidPurchaseError
  | PurchaseIndeterminateError
  | InvalidReceiptLogError
  | SignAuthorizationErrorType

/**
 * Wraps an MCP SDK `Client` so paid tools are paid through the payer engine: the policy decides
 * before anything is signed, budgets hold under concurrency, a named purchase re-sends the same
 * authorization when retried, and every payment ends in a receipt. Both ways servers signal
 * payment are understood: a payment-required tool result (x402 MCP transport) and a JSON-RPC error
 * `402` (or `-32042`) carrying the `PaymentRequired`.
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js'
 * import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
 * import { getReceipt, wrapMcpClient } from '@tollgate/mcp/client'
 *
 * const url = 'https://mcp.example.com/mcp'
 * const client = new Client({ name: 'agent', version: '1.0.0' })
 * await client.connect(new StreamableHTTPClientTransport(new URL(url)))
 * const paying = wrapMcpClient(client, {
 *   account,
 *   url,
 *   policy: { maxPerRequest: '$0.05', budgets: [{ limit: '$1', windowMs: 86_400_000 }] },
 * })
 * const result = await paying.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
 * console.log(getReceipt(result)?.transaction)
 * ```
 */
export function wrapMcpClient(
  client: Client,
  parameters: WrapMcpClientParameters,
): PayingMcpClient {
  const payer = createPayer({
    account: parameters.account,
    policy: parameters.policy,
    receipts: parameters.receipts,
    onReceipt: parameters.onReceipt,
    assets: parameters.assets,
    reconcile: parameters.reconcile,
  })
  const transport: ToolTransport = {
    client,
    payer,
    keys: resolveKeys(parameters.keys),
    paymentEncoding: parameters.paymentEncoding ?? 'json',
  }
  const server = parameters.url === undefined ? undefined : new URL(parameters.url)
  const serverUrl = () =>
    server ??
    new URL(`mcp://localhost/${encodeURIComponent(client.getServerVersion()?.name ?? 'server')}`)
  return {
    client,
    callTool: (params, options) => callPaidTool(transport, params, options, serverUrl()),
    purchases: payer.purchases,
    policy: payer.policy,
  }
}

/** One paid call: a purchase's earlier payment re-sent, or the unpaid call and its challenge paid. */
async function callPaidTool(
  transport: ToolTransport,
  params: CallToolRequest['params'],
  options: PaidCallToolOptions | undefined,
  server: URL,
): Promise<CallToolResult> {
  const { purchase, ...requestOptions } = options ?? {}
  const identity = resolvePurchase(purchase)
  const request: ToolRequest = {
    params,
    options: requestOptions,
    url: toolUrl(server, params.name),
  }
  return transport.payer.call(identity, async (call) => {
    const resend = await call.retry()
    if (resend) return exchange(transport, request, resend)
    const first = await probe(transport, request)
    if (first.challenge === undefined) return first.result
    const attempt = await call.pay({
      paymentRequired: first.challenge.paymentRequired,
      source: {
        url: request.url,
        method: 'tools/call',
        resourceNames: [toolResourceName(params.name)],
      },
    })
    return exchange(transport, request, attempt)
  })
}

/** The call without a payment: its result, or the challenge it answered with. */
async function probe(
  transport: ToolTransport,
  request: ToolRequest,
): Promise<
  | { result: CallToolResult; challenge?: undefined }
  | { challenge: NonNullable<ReturnType<typeof readResultChallenge>> }
> {
  const origin = { tool: request.params.name, url: request.url }
  let result: CallToolResult
  try {
    result = await sendToolCall(transport, request)
  } catch (error) {
    const challenge = readErrorChallenge(error, origin)
    if (challenge) return { challenge }
    throw error
  }
  const challenge = readResultChallenge(result, origin)
  return challenge ? { challenge } : { result }
}
