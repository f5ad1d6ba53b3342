// The paying MCP client: `wrapMcpClient` over the payer engine.

export { getReceipt } from '../client/receipts.js'
export {
  type CallPaidToolErrorType,
  type PaidCallToolOptions,
  type PayingMcpClient,
  type WrapMcpClientParameters,
  wrapMcpClient,
} from '../client/wrapMcpClient.js'
