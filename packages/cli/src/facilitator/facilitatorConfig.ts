import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError, type ConfigIssue } from '../errors.js'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address')
const rpcUrl = z
  .string()
  .refine((value) => /^(https?|wss?):\/\/[^\s]+$/.test(value) && URL.canParse(value), {
    message: 'expected an http(s) or ws(s) URL',
  })

/** A token the facilitator accepts besides `@tollgate/evm`'s registry (a devnet's test USDC). */
const assetSchema = z.strictObject({
  address,
  /** The token's EIP-712 domain name (`USD Coin` on Base). */
  name: z.string().min(1),
  /** The token's EIP-712 domain version. */
  version: z.string().min(1).default('2'),
  decimals: z.number().int().min(0).max(36).default(6),
  symbol: z.string().min(1).default('USDC'),
})

const chainSchema = z.strictObject({
  chainId: z.number().int().positive(),
  /** Tried in order: the next one takes over when one fails. */
  rpcUrls: z.array(rpcUrl).min(1, 'give at least one RPC URL'),
  assets: z.array(assetSchema).min(1).optional(),
  batchSettler: address.optional(),
  pollingIntervalMs: z.number().int().positive().optional(),
})

const databaseUrl = z
  .string()
  .refine((value) => /^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value), {
    message: 'expected sqlite:<path> or postgres://user:password@host/database',
  })

/** The configuration of `tollgate facilitator`, from a file, `TOLLGATE_*` variables and flags. */
export const facilitatorConfigSchema = z.strictObject({
  chains: z.array(chainSchema).min(1, 'configure at least one chain'),
  /** A file holding the settlement signer's hex private key. */
  keyFile: z.string().min(1),
  /** `sqlite:<path>` (`sqlite::memory:` for a throwaway ledger) or `postgres://...`. */
  database: databaseUrl,
  mode: z.enum(['confirmed', 'submitted', 'queued']).default('submitted'),
  batch: z
    .strictObject({
      maxSize: z.number().int().min(1).max(500).optional(),
      maxWaitMs: z.number().int().min(0).max(60_000).optional(),
    })
    .optional(),
  /** Keys callers must send to `/verify`, `/settle` and `/settlements`; none: open. */
  apiKeys: z.array(z.string().min(16, 'an API key needs at least 16 characters')).optional(),
  port: z.number().int().min(0).max(65_535).default(4020),
  host: z.string().min(1).default('127.0.0.1'),
  /** How long `/settle` waits for its mode, in ms. */
  settleTimeoutMs: z.number().int().positive().optional(),
})

export type FacilitatorConfig = z.infer<typeof facilitatorConfigSchema>

/** The flags `tollgate facilitator` takes, as `parseArgs` returns them. */
export type FacilitatorFlags = {
  config?: string | undefined
  'chain-id'?: string | undefined
  rpc?: string[] | undefined
  asset?: string[] | undefined
  'batch-settler'?: string | undefined
  'key-file'?: string | undefined
  database?: string | undefined
  mode?: string | undefined
  'batch-size'?: string | undefined
  'batch-wait-ms'?: string | undefined
  'api-keys-file'?: string | undefined
  port?: string | undefined
  host?: string | undefined
}

export type LoadFacilitatorConfigParameters = {
  flags: FacilitatorFlags
  env?: Readonly<Record<string, string | undefined>> | undefined
  cwd?: string | undefined
}

/** A whole number from text; anything else is left as it is, for zod to say what is wrong. */
function integer(text: string | undefined): unknown {
  if (text === undefined) return undefined
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text
}

const list = (text: string | undefined) =>
  text
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean)

/** `<address>` or `<address>:<name>[:<version>[:<decimals>]]`, e.g. `0x5FbD...:USD Coin:2`. */
function parseAssetFlag(text: string): unknown {
  const [addressText, name = 'USD Coin', version, decimals] = text.split(':')
  return {
    address: addressText,
    name,
    ...(version ? { version } : {}),
    ...(decimals ? { decimals: integer(decimals) } : {}),
  }
}

/** `a.b[0].c` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('')
}

/** Turns zod issues into `field path: why` lines (an unknown key names the key). */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: 'unknown field',
      }))
    return [{ path: formatPath(issue.path), message: issue.message }]
  })
}

/** Reads a JSON object from `path` (relative to `cwd`); `ConfigError` when it cannot. */
export async function readJsonFile(path: string, cwd: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(resolve(cwd, path), 'utf8')
  } catch (cause) {
    const code = (cause as { code?: string }).code
    throw new ConfigError({
      issues: [
        {
          path: '--config',
          message: `cannot read ${path}${code === 'ENOENT' ? ': no such file' : ''}`,
        },
      ],
    })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError({
      issues: [
        {
          path: '--config',
          message: `${path} is not JSON (${(cause as Error).message.split('\n')[0]})`,
        },
      ],
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError({
      issues: [{ path: '--config', message: `${path} must hold a JSON object` }],
    })
  return value as Record<string, unknown>
}

async function readApiKeysFile(path: string, cwd: string): Promise<string[]> {
  try {
    const text = await readFile(resolve(cwd, path), 'utf8')
    return text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
  } catch {
    throw new ConfigError({ issues: [{ path: '--api-keys-file', message: `cannot read ${path}` }] })
  }
}

/** A `sqlite:` URL with its file path made absolute from `dir`; other URLs as they are. */
function resolveSqliteUrl(database: string, dir: string): string {
  if (!database.startsWith('sqlite:')) return database
  const path = database.slice('sqlite:'.length)
  return path === ':memory:' ? database : `sqlite:${resolve(dir, path)}`
}

/**
 * The facilitator's configuration: the `--config` (or `TOLLGATE_CONFIG`) JSON file, overridden by
 * `TOLLGATE_*` variables, overridden by flags; validated as a whole. A chain given by flags or
 * variables (`--chain-id`, `--rpc`, ...) replaces the file's first chain field by field. Relative
 * paths in a file resolve from the file's directory. Throws `ConfigError` listing every problem.
 */
export async function loadFacilitatorConfig({
  flags,
  env = {},
  cwd = process.cwd(),
}: LoadFacilitatorConfigParameters): Promise<FacilitatorConfig> {
  const configPath = flags.config ?? env.TOLLGATE_CONFIG
  const file = configPath ? await readJsonFile(configPath, cwd) : {}
  const fileDir = configPath ? resolve(cwd, configPath, '..') : cwd
  const raw: Record<string, unknown> = { ...file }
  if (typeof raw.keyFile === 'string') raw.keyFile = resolve(fileDir, raw.keyFile)
  if (typeof raw.database === 'string') raw.database = resolveSqliteUrl(raw.database, fileDir)

  const pick = (flag: string | undefined, variable: string) => flag ?? env[variable]
  const override = (key: string, value: unknown) => {
    if (value !== undefined) raw[key] = value
  }

  // The chain: flags over variables over the file's first chain.
  const chainId = integer(pick(flags['chain-id'], 'TOLLGATE_CHAIN_ID'))
  const rpcUrls = flags.rpc?.length ? flags.rpc : list(env.TOLLGATE_RPC_URLS)
  const envAssets = list(env.TOLLGATE_ASSETS)
  const assets = flags.asset?.length ? flags.asset : envAssets?.length ? envAssets : undefined
  const batchSettler = pick(flags['batch-settler'], 'TOLLGATE_BATCH_SETTLER')
  if ([chainId, rpcUrls, assets, batchSettler].some((value) => value !== undefined)) {
    const chains = Array.isArray(raw.chains) ? [...raw.chains] : []
    const first = (typeof chains[0] === 'object' && chains[0] !== null ? chains[0] : {}) as Record<
      string,
      unknown
    >
    chains[0] = {
      ...first,
      ...(chainId !== undefined ? { chainId } : {}),
      ...(rpcUrls !== undefined ? { rpcUrls } : {}),
      ...(assets !== undefined ? { assets: assets.map(parseAssetFlag) } : {}),
      ...(batchSettler !== undefined ? { batchSettler } : {}),
    }
    raw.chains = chains
  }

  const keyFile = pick(flags['key-file'], 'TOLLGATE_KEY_FILE')
  override('keyFile', keyFile === undefined ? undefined : resolve(cwd, keyFile))
  const database = pick(flags.database, 'TOLLGATE_DATABASE_URL')
  override('database', database === undefined ? undefined : resolveSqliteUrl(database, cwd))
  override('mode', pick(flags.mode, 'TOLLGATE_MODE'))
  override('port', integer(pick(flags.port, 'TOLLGATE_PORT')))
  override('host', pick(flags.host, 'TOLLGATE_HOST'))
  const maxSize = integer(pick(flags['batch-size'], 'TOLLGATE_BATCH_SIZE'))
  const maxWaitMs = integer(pick(flags['batch-wait-ms'], 'TOLLGATE_BATCH_WAIT_MS'))
  if (maxSize !== undefined || maxWaitMs !== undefined)
    raw.batch = {
      ...(typeof raw.batch === 'object' && raw.batch !== null ? raw.batch : {}),
      ...(maxSize !== undefined ? { maxSize } : {}),
      ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
    }
  if (flags['api-keys-file']) raw.apiKeys = await readApiKeysFile(flags['api-keys-file'], cwd)
  else override('apiKeys', list(env.TOLLGATE_API_KEYS))

  const parsed = facilitatorConfigSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError({ issues: toConfigIssues(parsed.error) })
  return parsed.data
}

/** The database URL with its password hidden, for logs. */
export function redactDatabaseUrl(database: string): string {
  if (database.startsWith('sqlite:')) return database
  try {
    const url = new URL(database)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return 'postgres://(unparsable)'
  }
}
