// Paid tools on an MCP server: `createMcpPaywall` over the paywall engine.

export {
  type CreateMcpPaywallParameters,
  createMcpPaywall,
  type McpPaywall,
  type RegisterPaidToolErrorType,
} from '../server/createMcpPaywall.js'
export type {
  PaidToolCall,
  PaidToolConfig,
  PaidToolHandler,
  PaidToolOffer,
  ToolArguments,
  ToolExtra,
} from '../server/types.js'
