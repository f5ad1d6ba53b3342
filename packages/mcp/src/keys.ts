/**
 * Where a payment and its settlement travel in MCP `_meta`. The x402 MCP transport
 * (`specs/transports-v2/mcp.md`) names `x402/payment` on the request and `x402/payment-response`
 * on the result; drafts and older peers use other names (Vercel's `x402-mcp`: `x402.payment`,
 * `x402.payment-response`), so both sides take them as options.
 */
export type McpPaymentKeys = {
  /** The request's `params._meta` key of the payment. @default 'x402/payment' */
  readonly payment: string
  /** The result's `_meta` key of the settlement. @default 'x402/payment-response' */
  readonly paymentResponse: string
}

/** The keys of the current x402 MCP transport. */
export const mcpPaymentKeys: McpPaymentKeys = {
  payment: 'x402/payment',
  paymentResponse: 'x402/payment-response',
} as const

/** The keys with the caller's overrides. */
export function resolveKeys(keys: Partial<McpPaymentKeys> | undefined): McpPaymentKeys {
  return { ...mcpPaymentKeys, ...keys }
}

/** The resource URL peers give a tool: `mcp://tool/<name>`. */
export function toolResourceName(name: string): string {
  return `mcp://tool/${encodeURIComponent(name)}`
}

/**
 * The URL of a tool under its server's URL (`https://mcp.example.com/mcp/tools/forecast`): what a
 * provider that knows its public endpoint advertises, and what the paying client gives its policy.
 */
export function toolUrl(server: URL, name: string): URL {
  const base = server.pathname.endsWith('/') ? server.pathname : `${server.pathname}/`
  const url = new URL(server.href)
  url.pathname = `${base}tools/${encodeURIComponent(name)}`
  url.search = ''
  url.hash = ''
  return url
}
