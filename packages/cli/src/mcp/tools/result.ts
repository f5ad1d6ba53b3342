import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { isTollgateError } from '@tollgate/core'
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

/** What went wrong, in one line: a Tollgate error's short message, else the first line. */
export function reasonOf(error: unknown): string {
  if (isTollgateError(error)) return error.shortMessage
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''
}
