import {
  type AnySchema,
  normalizeObjectSchema,
  safeParseAsync,
  type ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js'
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

/** The x402 challenge as a tool's structured output: enough for a client's schema check. */
const challengeJsonSchema = {
  type: 'object',
  description: 'x402 PaymentRequired: pay one of `accepts` and call again',
  properties: {
    x402Version: { type: 'integer' },
    error: { type: 'string' },
    resource: { type: 'object' },
    accepts: { type: 'array', minItems: 1 },
  },
  required: ['x402Version', 'accepts'],
} as const

/**
 * The output schema a paid tool advertises: `{ type: 'object', anyOf: [success, challenge] }`.
 * The SDK's client checks `structuredContent` against a tool's output schema even when `isError`
 * is set, so a schema that only describes success makes the challenge unreadable (apify's fix,
 * apify-mcp-server#956, is the same). The returned schema accepts any object when the server
 * checks it: the success schema is checked by `checkOutput`, before the payment settles.
 */
export function widenOutputSchema(schema: ZodRawShapeCompat | AnySchema): AnySchema {
  const object = normalizeObjectSchema(schema)
  if (!object) return schema as AnySchema
  const { $schema: _root, ...success } = toJsonSchemaCompat(object, {
    strictUnions: true,
    pipeStrategy: 'output',
  }) as Record<string, unknown>
  // zod 4 writes `meta` into the JSON Schema the SDK lists: the union is what clients see.
  return z.looseObject({}).meta({ anyOf: [success, challengeJsonSchema] })
}

/**
 * Checks a successful result against the tool's output schema, as `McpServer` would after the
 * handler returns, but before the payment settles: the error result to send instead (a failed
 * run, charged nothing), or `undefined` when it passes.
 */
export async function checkOutput(
  schema: ZodRawShapeCompat | AnySchema | undefined,
  result: CallToolResult,
  name: string,
): Promise<CallToolResult | undefined> {
  if (schema === undefined || result.isError) return undefined
  if (!result.structuredContent)
    return toolError(
      `Output validation error: Tool ${name} has an output schema but no structured content was provided`,
    )
  const object = normalizeObjectSchema(schema)
  if (!object) return undefined
  const parsed = await safeParseAsync(object, result.structuredContent)
  if (parsed.success) return undefined
  const issues = (parsed.error as { issues?: { path?: unknown[]; message?: string }[] }).issues
  const first = issues?.[0]
  const where = first?.path?.length ? ` at ${first.path.join('.')}` : ''
  return toolError(
    `Output validation error: Invalid structured content for tool ${name}${where}: ${first?.message ?? 'schema mismatch'}`,
  )
}

/** A tool error result, as `McpServer` builds one from a thrown error. */
export function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}
