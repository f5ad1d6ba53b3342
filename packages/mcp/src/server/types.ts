import type {
  AnySchema,
  SchemaOutput,
  ShapeOutput,
  ZodRawShapeCompat,
} from '@modelcontextprotocol/sdk/server/zod-compat.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js'
import type { OfferConfig } from '@tollgate/paywall'

/** What the SDK gives a tool handler besides its arguments (session, signal, auth info, `_meta`). */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>

/** The arguments a tool's input schema yields (`undefined` for a tool without one). */
export type ToolArguments<inputSchema> = inputSchema extends ZodRawShapeCompat
  ? ShapeOutput<inputSchema>
  : inputSchema extends AnySchema
    ? SchemaOutput<inputSchema>
    : undefined

/** A paid tool call as the paywall sees it: price functions and hooks are given it. */
export type PaidToolCall<args = unknown> = {
  /** The tool's name. */
  readonly name: string
  /** The arguments, checked by the tool's input schema. */
  readonly arguments: args
  /** The SDK's request context (session id, abort signal, auth info, the request's `_meta`). */
  readonly extra: ToolExtra
}

/**
 * How a paid tool is sold, as an HTTP route is: `price` (whole units as a string, atomic units as a
 * `bigint` or `{ amount, asset }`, or a function of the call), `payTo`, `network`, `asset`,
 * `accepts` for several options, `settlement` (the facilitator's mode), `order` (serve-first or
 * settle-first) and `resource` (the URL the challenge names).
 */
export type PaidToolOffer<args = unknown> = Omit<
  OfferConfig<PaidToolCall<args>>,
  'description' | 'outputSchema'
>

/** `McpServer.registerTool`'s config with the offer of a paid tool. */
export type PaidToolConfig<
  inputSchema extends undefined | ZodRawShapeCompat | AnySchema,
  outputSchema extends undefined | ZodRawShapeCompat | AnySchema,
> = PaidToolOffer<ToolArguments<inputSchema>> & {
  title?: string | undefined
  /** The tool's description; the challenge's `resource.description` too. */
  description?: string | undefined
  inputSchema?: inputSchema | undefined
  /**
   * The successful result's schema. It is advertised widened to also admit the x402 challenge
   * (clients check `structuredContent` against it even on `isError` results), and checked here
   * before the payment settles: a result that does not match it is a failed run and costs nothing.
   */
  outputSchema?: outputSchema | undefined
  annotations?: ToolAnnotations | undefined
  _meta?: Record<string, unknown> | undefined
}

/** A paid tool's handler: what `McpServer.registerTool` takes. */
export type PaidToolHandler<inputSchema extends undefined | ZodRawShapeCompat | AnySchema> =
  inputSchema extends undefined
    ? (extra: ToolExtra) => CallToolResult | Promise<CallToolResult>
    : (
        args: ToolArguments<inputSchema>,
        extra: ToolExtra,
      ) => CallToolResult | Promise<CallToolResult>
