import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { toJson } from '../../output.js'

/** Redacts text before it leaves the process: every secret the command read is replaced. */
export type Redact = (text: string) => string

/**
 * A tool result carrying `value` as JSON text and as `structuredContent` (bigints as decimal
 * strings), redacted: nothing the command knows as a secret reaches the model.
 */
export function jsonResult(
  value: Record<string, unknown>,
  redact: Redact,
  { isError = false }: { isError?: boolean | undefined } = {},
): CallToolResult {
  const text = redact(toJson(value))
  return {
    content: [{ type: 'text', text }],
    structuredContent: JSON.parse(text) as Record<string, unknown>,
    ...(isError ? { isError: true } : {}),
  }
}
