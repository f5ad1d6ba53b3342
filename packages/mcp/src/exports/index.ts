// What both sides of paid MCP tools share: the `_meta` keys and the challenge reader. The server
// side is `@tollgate/mcp/server`, the paying client `@tollgate/mcp/client`.

export { readChallengeValue } from '../challenge.js'
export { ConflictingChallengeError, type ConflictingChallengeErrorType } from '../errors.js'
export { type McpPaymentKeys, mcpPaymentKeys, toolResourceName, toolUrl } from '../keys.js'
