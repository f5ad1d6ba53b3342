import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { equalByContent } from '@tollgate/core'
import { type Challenge, InvalidChallengeError } from '@tollgate/payer'
import { claimsChallenge, readChallengeValue } from '../challenge.js'
import { ConflictingChallengeError } from '../errors.js'

/** Where a tool's challenge was read from, for errors: the tool's URL as the policy sees it. */
type Origin = { tool: string; url: URL }

/**
 * The challenge of a payment-required tool result (the x402 MCP transport): an `isError` result
 * whose `structuredContent` is the `PaymentRequired`, or whose first text is its JSON. When both
 * are there they must agree. `undefined` for any other result.
 */
export function readResultChallenge(result: CallToolResult, origin: Origin): Challenge | undefined {
  if (result.isError !== true) return undefined
  const structured = claimsChallenge(result.structuredContent)
    ? result.structuredContent
    : undefined
  const parsed = parseText(result.content?.[0])
  const text = claimsChallenge(parsed) ? parsed : undefined
  const value = structured ?? text
  if (value === undefined) return undefined
  if (structured && text && !equalByContent(structured, text))
    throw new InvalidChallengeError({
      url: origin.url.href,
      cause: new ConflictingChallengeError({ tool: origin.tool }),
    })
  return readOrThrow(value, origin)
}

/**
 * The challenge of a JSON-RPC error, as servers before the result form signal it: code `402`, or
 * `-32042` as `@x402/mcp` accepts, with the `PaymentRequired` in `data` or `data.x402`.
 * `undefined` for any other error.
 */
export function readErrorChallenge(error: unknown, origin: Origin): Challenge | undefined {
  if (!(error instanceof McpError)) return undefined
  if (error.code !== 402 && error.code !== -32042) return undefined
  const data = error.data as { x402?: unknown } | undefined
  const value = claimsChallenge(data) ? data : claimsChallenge(data?.x402) ? data.x402 : undefined
  if (value === undefined) return undefined
  return readOrThrow(value, origin)
}

function readOrThrow(value: unknown, origin: Origin): Challenge | undefined {
  try {
    return readChallengeValue(value)
  } catch (cause) {
    throw new InvalidChallengeError({ url: origin.url.href, cause })
  }
}

function parseText(item: CallToolResult['content'][number] | undefined): unknown {
  if (item?.type !== 'text') return undefined
  try {
    return JSON.parse(item.text)
  } catch {
    return undefined
  }
}
