import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AnySchema, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import {
  type CreatePaywallEngineErrorType,
  createMemoryStore,
  createPaywallEngine,
  type IdempotencyConfig,
  type PaywallAgent,
  type PaywallEngine,
  type PaywallHooks,
  type PaywallLogger,
  type PaywallStore,
  type ResultCodec,
} from '@tollgate/paywall'
import { type McpPaymentKeys, resolveKeys, toolResourceName, toolUrl } from '../keys.js'
import { widenOutputSchema } from './outputSchema.js'
import { readPayment } from './readPayment.js'
import { renderOutcome } from './render.js'
import { runTool } from './runTool.js'
import type { PaidToolCall, PaidToolConfig, PaidToolHandler, ToolExtra } from './types.js'

/** Parameters of {@link createMcpPaywall}: what every paid tool of the server shares. */
export type CreateMcpPaywallParameters = {
  /**
   * The server's public endpoint (`https://mcp.example.com/mcp`): a tool's challenge then names
   * `<url>/tools/<name>`, a URL a payer can act on. Without it, `mcp://tool/<name>`, as the x402
   * MCP transport's peers name tools. A tool's own `resource` overrides both.
   */
  url?: string | URL | undefined
  /** Tokens to know besides the built-in USDC registry (decimals, symbol, EIP-712 domain). */
  assets?: readonly Asset[] | undefined
  /** Lifecycle hooks: `request` is the {@link PaidToolCall}. */
  hooks?: PaywallHooks<PaidToolCall> | undefined
  /** Payment-identifier idempotency; `false` turns it off. @default {} (optional identifier) */
  idempotency?: false | IdempotencyConfig | undefined
  /**
   * Where facilitator faults, failed settlements, store failures and throwing hooks or price
   * functions are reported, without secrets; `false` reports nothing. @default the console
   */
  logger?: PaywallLogger | false | undefined
  /** The clock of every store entry, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
  /** The provider's ERC-8004 agent identity, named in every challenge. */
  agent?: PaywallAgent | undefined
  /**
   * Where taken authorizations, payment-identifier answers and pending results are kept; one store
   * for every tool, so one authorization pays for one call of one tool. A Redis store makes
   * several server processes one paywall. @default createMemoryStore({ now })
   */
  store?: PaywallStore | undefined
  /** The `_meta` keys of the payment and the settlement. @default the x402 MCP transport's */
  keys?: Partial<McpPaymentKeys> | undefined
}

/** The paid tools of one `McpServer`. */
export type McpPaywall = {
  /**
   * Registers a paid tool on the server, as `McpServer.registerTool` does, with the offer in the
   * config: a call without a payment is answered with the x402 challenge; a call with one is
   * verified, run once with its result held back, and settled before the result goes out.
   */
  registerTool<
    inputSchema extends undefined | ZodRawShapeCompat | AnySchema = undefined,
    outputSchema extends undefined | ZodRawShapeCompat | AnySchema = undefined,
  >(
    name: string,
    config: PaidToolConfig<inputSchema, outputSchema>,
    handler: PaidToolHandler<inputSchema>,
  ): RegisteredTool
  /**
   * Checks every paid tool's `settlement` mode against the facilitator's `/supported`; rejects
   * with `UnsupportedSettlementModeError`, or the error of `/supported`.
   */
  ready(): Promise<void>
}

/** What {@link McpPaywall.registerTool} throws: an offer that does not check. */
export type RegisterPaidToolErrorType = CreatePaywallEngineErrorType

// A tool result is JSON already: kept as it is (the store serialises it when it must).
const codec: ResultCodec<CallToolResult> = {
  keep: (result) => result,
  restore: (value) => value as CallToolResult,
}

/**
 * Paid tools on an `McpServer` from the official SDK, over the x402 MCP transport: a tool is
 * priced as an HTTP route is, and the paywall engine verifies, runs the tool once per payment,
 * settles, and charges nothing for a failed run (an `isError` result, a throw, an output that does
 * not match the schema). Payments are read from `params._meta["x402/payment"]` (v1 or v2, a JSON
 * object or base64), settlements written to the result's `_meta["x402/payment-response"]`.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
 * import { createMcpPaywall } from '@tollgate/mcp/server'
 * import { z } from 'zod'
 *
 * const server = new McpServer({ name: 'weather', version: '1.0.0' })
 * const paywall = createMcpPaywall(server, facilitator)
 * paywall.registerTool(
 *   'forecast',
 *   {
 *     description: 'Tomorrow, hour by hour',
 *     inputSchema: { city: z.string() },
 *     price: '$0.01',
 *     payTo: '0xYourAddress',
 *     network: 'eip155:8453',
 *   },
 *   async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] }),
 * )
 * ```
 */
export function createMcpPaywall(
  server: McpServer,
  facilitator: FacilitatorClient,
  parameters: CreateMcpPaywallParameters = {},
): McpPaywall {
  const keys = resolveKeys(parameters.keys)
  const now = parameters.now ?? Date.now
  const { idempotency } = parameters
  const store =
    parameters.store ??
    createMemoryStore({ now, maxEntries: idempotency ? idempotency.maxEntries : undefined })
  const base = parameters.url === undefined ? undefined : new URL(parameters.url)
  const engines: PaywallEngine<PaidToolCall, CallToolResult>[] = []

  function registerTool(
    name: string,
    config: PaidToolConfig<
      undefined | ZodRawShapeCompat | AnySchema,
      undefined | ZodRawShapeCompat | AnySchema
    >,
    handler: PaidToolHandler<undefined | ZodRawShapeCompat | AnySchema>,
  ): RegisteredTool {
    const { title, description, inputSchema, outputSchema, annotations, _meta, ...offer } = config
    const engine = createPaywallEngine<PaidToolCall, CallToolResult>(facilitator, {
      offers: { [name]: { ...offer, description, mimeType: offer.mimeType ?? 'application/json' } },
      codec,
      assets: parameters.assets,
      hooks: parameters.hooks,
      idempotency,
      logger: parameters.logger,
      now,
      agent: parameters.agent,
      store,
    })
    engines.push(engine)
    const resource = base ? toolUrl(base, name).href : toolResourceName(name)
    const paid = async (extra: ToolExtra, args: unknown) => {
      const call: PaidToolCall = { name, arguments: args, extra }
      const outcome = await engine.handle({
        offer: engine.offers[0]!,
        request: call,
        resource,
        payment: readPayment(extra._meta, keys.payment),
        run: () =>
          runTool({
            call,
            hasInput: inputSchema !== undefined,
            outputSchema,
            handler: handler as ToolRun['handler'],
          }),
      })
      return renderOutcome(outcome, keys)
    }
    const callback =
      inputSchema === undefined
        ? (extra: ToolExtra) => paid(extra, undefined)
        : (args: unknown, extra: ToolExtra) => paid(extra, args)
    return server.registerTool(
      name,
      {
        ...(title === undefined ? {} : { title }),
        ...(description === undefined ? {} : { description }),
        ...(inputSchema === undefined ? {} : { inputSchema }),
        ...(outputSchema === undefined ? {} : { outputSchema: widenOutputSchema(outputSchema) }),
        ...(annotations === undefined ? {} : { annotations }),
        ...(_meta === undefined ? {} : { _meta }),
      },
      callback as never,
    )
  }

  return {
    registerTool: registerTool as McpPaywall['registerTool'],
    ready: async () => {
      await Promise.all(engines.map((engine) => engine.ready()))
    },
  }
}

type ToolRun = Parameters<typeof runTool>[0]
