// The `tollgate` command as functions: each takes its argv and an io, and returns the exit code.

export { runAgent } from '../commands/agent.js'
export { runDev } from '../commands/dev.js'
export { runFacilitator } from '../commands/facilitator.js'
export { runMcp } from '../commands/mcp.js'
export { type Requirement, runPay } from '../commands/pay.js'
export type { DevBalance, DevCall, DevReport } from '../dev/runBuyer.js'
export {
  ConfigError,
  type ConfigErrorType,
  type ConfigIssue,
  KeyError,
  type KeyErrorType,
  UsageError,
  type UsageErrorType,
} from '../errors.js'
export {
  type FacilitatorConfig,
  facilitatorConfigSchema,
  type LoadFacilitatorConfigParameters,
  loadFacilitatorConfig,
} from '../facilitator/facilitatorConfig.js'
export { type CliIo, type Command, exitCodes } from '../io.js'
export {
  type LoadMcpConfigParameters,
  loadMcpConfig,
  type McpConfig,
  mcpConfigSchema,
} from '../mcp/mcpConfig.js'
export { commands, run } from '../run.js'
export { version } from '../version.js'
