import type { AnySchema, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Held } from '@tollgate/paywall'
import { checkOutput, toolError } from './outputSchema.js'
import type { PaidToolCall } from './types.js'

/** What `runTool` runs: the provider's handler, called as `McpServer` would call it. */
export type ToolRun = {
  call: PaidToolCall
  /** Whether the tool has an input schema (its handler then takes the arguments first). */
  hasInput: boolean
  outputSchema: ZodRawShapeCompat | AnySchema | undefined
  handler: (...args: never[]) => CallToolResult | Promise<CallToolResult>
}

/**
 * Runs a paid tool with its result held back: `ok` only for a result that is not `isError` and
 * matches the output schema, from a caller still waiting. A handler that throws is a failed run
 * (its message becomes the error result, as `McpServer` does), so nothing is charged.
 */
export async function runTool({
  call,
  hasInput,
  outputSchema,
  handler,
}: ToolRun): Promise<Held<CallToolResult>> {
  const invoke = handler as (...args: unknown[]) => CallToolResult | Promise<CallToolResult>
  let result: CallToolResult
  try {
    result = await (hasInput ? invoke(call.arguments, call.extra) : invoke(call.extra))
  } catch (error) {
    return { ok: false, result: toolError(error instanceof Error ? error.message : String(error)) }
  }
  const invalid = await checkOutput(outputSchema, result, call.name)
  if (invalid) return { ok: false, result: invalid }
  const aborted = call.extra.signal.aborted
  return { ok: !aborted && result.isError !== true, aborted, result }
}
