import type { Asset } from '@tollgate/evm'
import { createFacilitator, serveFacilitator } from '@tollgate/facilitator'
import {
  type FacilitatorConfig,
  loadFacilitatorConfig,
  redactDatabaseUrl,
} from '../facilitator/facilitatorConfig.js'
import { openLedger } from '../facilitator/openLedger.js'
import { type CliIo, type Command, exitCodes } from '../io.js'
import { createOutput, type Output, reportError } from '../output.js'
import { parseArgs } from '../parseArgs.js'
import { readAccount } from '../readAccount.js'
import { waitForAbort } from '../waitForAbort.js'

const help = `Usage: tollgate facilitator [options]

Runs an x402 facilitator service (POST /verify, POST /settle, GET /supported, /health, /metrics)
with a durable ledger and exactly-once settlement. The configuration comes from a JSON file
(--config), TOLLGATE_* variables and flags, in increasing priority, and is checked as a whole
before anything starts: every problem is listed with its field (exit code 2).

On SIGINT or SIGTERM it stops accepting requests, lets the requests in flight finish (a /settle
waiting for its transaction included), stops the settlement workers and closes the ledger.
Payments queued but not yet sent stay in the ledger and are settled at the next start.

Options:
  --config <file>          JSON file (fields: chains, keyFile, database, mode, batch, apiKeys,
                           port, host, settleTimeoutMs)           env TOLLGATE_CONFIG
  --chain-id <id>          the chain's id                          env TOLLGATE_CHAIN_ID
  --rpc <url>              an RPC URL; repeat for failover, tried in order
                                                                   env TOLLGATE_RPC_URLS (a,b)
  --asset <token>          a token besides the USDC registry: <address>[:<name>[:<version>[:<decimals>]]]
                                                                   env TOLLGATE_ASSETS (a,b)
  --batch-settler <addr>   the chain's BatchSettler (batches settlements)
                                                                   env TOLLGATE_BATCH_SETTLER
  --key-file <file>        the settlement signer's private key (hex)
                                                                   env TOLLGATE_KEY_FILE
  --database <url>         sqlite:<path> or postgres://...          env TOLLGATE_DATABASE_URL
  --mode <mode>            when /settle answers: confirmed, submitted (default) or queued
                                                                   env TOLLGATE_MODE
  --batch-size <n>         authorizations per batch transaction at most
                                                                   env TOLLGATE_BATCH_SIZE
  --batch-wait-ms <ms>     how long a batch waits to fill           env TOLLGATE_BATCH_WAIT_MS
  --api-keys-file <file>   API keys, one a line (required on /verify and /settle)
                                                                   env TOLLGATE_API_KEYS (a,b)
  --port <port>            default 4020 (0: a free port)            env TOLLGATE_PORT
  --host <host>            default 127.0.0.1                        env TOLLGATE_HOST
  --json                   print one JSON line when listening ({ url, ... })
  -h, --help               show this help

Examples:
  tollgate facilitator --config facilitator.json
  tollgate facilitator --chain-id 84532 --rpc https://sepolia.base.org --rpc https://base-sepolia.drpc.org \\
    --key-file ./signer.key --database sqlite:./facilitator.db --mode confirmed
  TOLLGATE_DATABASE_URL=postgres://tollgate@db/tollgate tollgate facilitator --config facilitator.json

A config file:
  {
    "chains": [{ "chainId": 84532, "rpcUrls": ["https://sepolia.base.org"] }],
    "keyFile": "./signer.key",
    "database": "sqlite:./facilitator.db",
    "mode": "submitted",
    "batch": { "maxSize": 50, "maxWaitMs": 200 },
    "port": 4020
  }
`

const options = {
  config: { type: 'string' },
  'chain-id': { type: 'string' },
  rpc: { type: 'string', multiple: true },
  asset: { type: 'string', multiple: true },
  'batch-settler': { type: 'string' },
  'key-file': { type: 'string' },
  database: { type: 'string' },
  mode: { type: 'string' },
  'batch-size': { type: 'string' },
  'batch-wait-ms': { type: 'string' },
  'api-keys-file': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const

function toAssets(chain: FacilitatorConfig['chains'][number]): Asset[] | undefined {
  return chain.assets?.map((asset) => ({
    chainId: chain.chainId,
    network: `eip155:${chain.chainId}`,
    address: asset.address as `0x${string}`,
    symbol: asset.symbol,
    decimals: asset.decimals,
    eip712: { name: asset.name, version: asset.version },
  }))
}

function databasePassword(database: string): string | undefined {
  if (!URL.canParse(database)) return undefined
  const { password } = new URL(database)
  return password ? decodeURIComponent(password) : undefined
}

async function serve(config: FacilitatorConfig, io: CliIo, output: Output): Promise<void> {
  const signer = await readAccount(output, { keyFile: config.keyFile, cwd: io.cwd })
  for (const key of config.apiKeys ?? []) output.addSecret(key)
  const password = databasePassword(config.database)
  if (password) output.addSecret(password)
  const opened = await openLedger(config.database)
  try {
    const facilitator = createFacilitator({
      ledger: opened.ledger,
      chains: config.chains.map((chain) => ({
        chainId: chain.chainId,
        rpcUrls: chain.rpcUrls,
        assets: toAssets(chain),
        batchSettler: chain.batchSettler as `0x${string}` | undefined,
        pollingIntervalMs: chain.pollingIntervalMs,
      })),
      signers: [signer],
      mode: config.mode,
      batch: config.batch,
      settleTimeoutMs: config.settleTimeoutMs,
      http: { apiKeys: config.apiKeys },
      onError: (error) =>
        output.stderr(
          `tollgate facilitator: background error (retried): ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`,
        ),
    })
    try {
      await facilitator.start()
      const served = await serveFacilitator(facilitator, { port: config.port, host: config.host })
      const summary = {
        url: served.url,
        chains: config.chains.map((chain) => chain.chainId),
        signer: signer.address,
        database: redactDatabaseUrl(config.database),
        mode: config.mode,
        apiKeys: config.apiKeys?.length ?? 0,
      }
      if (output.json) output.stdout(`${JSON.stringify(summary)}\n`)
      else
        output.stderr(
          `tollgate facilitator: listening on ${served.url} (chains ${summary.chains.join(', ')}, ${summary.mode}, ledger ${summary.database}, signer ${signer.address})\n`,
        )
      await waitForAbort(io.signal)
      output.stderr('tollgate facilitator: stopping, finishing requests in flight\n')
      // In-flight requests (a /settle waiting for its transaction) finish before the workers stop;
      // `close` answers them with `Connection: close` so no keep-alive connection holds it open.
      await served.close()
    } finally {
      await facilitator.close()
    }
  } finally {
    await opened.close()
  }
  output.stderr('tollgate facilitator: stopped\n')
}

/** `tollgate facilitator`: the facilitator service from flags, environment or a config file. */
export async function runFacilitator(argv: readonly string[], io: CliIo): Promise<number> {
  let output = createOutput(io, { json: argv.includes('--json') })
  try {
    const { values } = parseArgs(argv, options, { positionals: false })
    output = createOutput(io, { json: values.json === true })
    if (values.help) {
      output.stdout(help)
      return exitCodes.ok
    }
    const config = await loadFacilitatorConfig({ flags: values, env: io.env, cwd: io.cwd })
    await serve(config, io, output)
    return exitCodes.ok
  } catch (error) {
    return reportError(output, 'facilitator', error)
  }
}

export const facilitatorCommand: Command = {
  name: 'facilitator',
  summary: 'run the facilitator service (verify, settle) from flags, env or a config file',
  run: runFacilitator,
}
