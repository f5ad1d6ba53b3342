import { resolve } from 'node:path'
import { parseMoney } from '@tollgate/core'
import { z } from 'zod'
import { ConfigError } from '../errors.js'
import { readJsonFile, toConfigIssues } from '../facilitator/facilitatorConfig.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address')
const money = z.string().refine(
  (value) => {
    try {
      return parseMoney(value, { decimals: 18 }) > 0n
    } catch {
      return false
    }
  },
  { message: "expected an amount in whole units above zero, such as '$0.10' or '1'" },
)
const rpcUrl = z
  .string()
  .refine((value) => /^(https?|wss?):\/\/[^\s]+$/.test(value) && URL.canParse(value), {
    message: 'expected an http(s) or ws(s) URL',
  })

/**
 * The configuration of `tollgate mcp`, from a file, `TOLLGATE_*` variables and flags. The key is
 * never in it: a key file, or `TOLLGATE_PRIVATE_KEY`.
 */
export const mcpConfigSchema = z.strictObject({
  /** A file holding the paying key (hex); without it, `TOLLGATE_PRIVATE_KEY`. */
  keyFile: z.string().min(1).optional(),
  /** The most one call may cost, whatever the model asks (whole units). */
  maxPerCall: money.default('$0.10'),
  /** What all calls together may spend within `windowMs` (whole units). */
  budget: z
    .strictObject({
      limit: money.default('$1'),
      windowMs: z.number().int().positive().default(86_400_000),
    })
    .default({ limit: '$1', windowMs: 86_400_000 }),
  /** JSON-RPC URL of the chain paid on: reads `assets`, checks refused payments, finds agents. */
  rpcUrl: rpcUrl.optional(),
  /** Tokens outside the built-in USDC registry (a devnet's test USDC), read on-chain via `rpcUrl`. */
  assets: z.array(address).default([]),
  /** The ERC-8004 Identity Registry `x402_find_agents` scans. */
  identityRegistry: address.optional(),
  /** Append every receipt to this JSON Lines file (purchases survive a restart). */
  receipts: z.string().min(1).optional(),
  /** Pay plain-http URLs that are not loopback. */
  allowHttp: z.boolean().default(false),
  /** `stdio` (an MCP host starts the command) or `http` (Streamable HTTP on `host:port`). */
  transport: z.enum(['stdio', 'http']).default('stdio'),
  port: z.number().int().min(0).max(65_535).default(3402),
  host: z.string().min(1).default('127.0.0.1'),
})

export type McpConfig = z.infer<typeof mcpConfigSchema>

/** The flags `tollgate mcp` takes, as `parseArgs` returns them. */
export type McpFlags = {
  config?: string | undefined
  'key-file'?: string | undefined
  'max-per-call'?: string | undefined
  budget?: string | undefined
  'budget-window-ms'?: string | undefined
  rpc?: string | undefined
  asset?: string[] | undefined
  registry?: string | undefined
  receipts?: string | undefined
  'allow-http'?: boolean | undefined
  http?: boolean | undefined
  port?: string | undefined
  host?: string | undefined
}

/** A whole number from text; anything else is left as it is, for zod to say what is wrong. */
function integer(text: string | undefined): unknown {
  if (text === undefined) return undefined
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text
}

/** `1`, `true`, `yes` (any case) are on; anything else set is off. */
function flag(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : /^(1|true|yes)$/i.test(text.trim())
}

/** Where `loadMcpConfig` reads from: the parsed flags, the environment, the working directory. */
export type LoadMcpConfigParameters = {
  flags: McpFlags
  env?: Readonly<Record<string, string | undefined>> | undefined
  cwd?: string | undefined
}

/**
 * The configuration of `tollgate mcp`: the `--config` (or `TOLLGATE_CONFIG`) JSON file, overridden
 * by `TOLLGATE_*` variables, overridden by flags; validated as a whole (`ConfigError` lists every
 * problem). Relative paths in the file resolve from its directory, others from `cwd`.
 */
export async function loadMcpConfig({
  flags,
  env = {},
  cwd = process.cwd(),
}: LoadMcpConfigParameters): Promise<McpConfig> {
  const configPath = flags.config ?? env.TOLLGATE_CONFIG
  const raw: Record<string, unknown> = configPath ? await readJsonFile(configPath, cwd) : {}
  const fileDir = configPath ? resolve(cwd, configPath, '..') : cwd
  for (const key of ['keyFile', 'receipts'] as const)
    if (typeof raw[key] === 'string') raw[key] = resolve(fileDir, raw[key])
  const set = (key: string, value: unknown) => {
    if (value !== undefined) raw[key] = value
  }
  const pick = (value: string | undefined, variable: string) => value ?? env[variable]
  const path = (value: string | undefined) =>
    value === undefined ? undefined : resolve(cwd, value)
  set('keyFile', path(pick(flags['key-file'], 'TOLLGATE_KEY_FILE')))
  set('maxPerCall', pick(flags['max-per-call'], 'TOLLGATE_MAX_PER_CALL'))
  const limit = pick(flags.budget, 'TOLLGATE_BUDGET')
  const windowMs = integer(pick(flags['budget-window-ms'], 'TOLLGATE_BUDGET_WINDOW_MS'))
  if (limit !== undefined || windowMs !== undefined) {
    const budget = (
      typeof raw.budget === 'object' && raw.budget !== null ? raw.budget : {}
    ) as object
    raw.budget = {
      ...budget,
      ...(limit !== undefined ? { limit } : {}),
      ...(windowMs !== undefined ? { windowMs } : {}),
    }
  }
  set('rpcUrl', pick(flags.rpc, 'TOLLGATE_RPC_URL') || undefined)
  const envAsset = env.TOLLGATE_USDC ? [env.TOLLGATE_USDC] : undefined
  set('assets', flags.asset?.length ? flags.asset : envAsset)
  set('identityRegistry', pick(flags.registry, 'TOLLGATE_IDENTITY_REGISTRY') || undefined)
  set('receipts', path(pick(flags.receipts, 'TOLLGATE_RECEIPTS')))
  set('allowHttp', flags['allow-http'] ?? flag(env.TOLLGATE_ALLOW_HTTP))
  set('transport', flags.http ? 'http' : env.TOLLGATE_MCP_TRANSPORT)
  set('port', integer(pick(flags.port, 'TOLLGATE_MCP_PORT')))
  set('host', pick(flags.host, 'TOLLGATE_MCP_HOST'))
  const parsed = mcpConfigSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError({ issues: toConfigIssues(parsed.error) })
  return parsed.data
}
