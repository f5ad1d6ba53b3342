import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
import type { Hex } from 'viem'
import { accountOf } from './accounts.js'
import type { RoleConfig, RunningRole } from './roles.js'
import type { Timings } from './timings.js'

/**
 * Our facilitator (`@tollgate/facilitator`) served over HTTP by `serveFacilitator`: a SQLite
 * ledger (by default a file synced on every commit, the package's durable default), one gas
 * account, the devnet's `BatchSettler`, and `mode` as the answer point of every `/settle`.
 */
export async function startTollgateFacilitator(
  config: Extract<RoleConfig, { kind: 'tollgate-facilitator' }>,
  timings?: Timings | undefined,
): Promise<RunningRole> {
  const { token } = config
  const opened = await createSqliteLedger(config.ledgerPath, { synchronous: config.ledgerSync })
  const ledger = timings ? timings.wrap(opened, 'ledger') : opened
  const errors: unknown[] = []
  const facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: token.chainId,
        rpcUrls: [config.rpcUrl],
        assets: [token],
        batchSettler: config.batchSettler,
        pollingIntervalMs: config.pollingMs,
      },
    ],
    signers: [accountOf(config.signerKey, config.accounts)],
    mode: config.mode,
    batch: { maxSize: config.batchMaxSize, maxWaitMs: config.batchMaxWaitMs },
    onError: (error) => {
      // Background errors are retried by the settler; keep the first few for the report.
      if (errors.length < 5) errors.push(error)
    },
  })
  await facilitator.start()
  const served = await serveFacilitator(
    timings
      ? {
          fetch: (request: Request) =>
            timings.time(`serve ${request.method} ${new URL(request.url).pathname}`, async () =>
              facilitator.fetch(request),
            ),
        }
      : facilitator,
    { port: 0 },
  )
  return {
    url: served.url,
    async transactions() {
      const mined = await ledger.listTransactions({ chainId: token.chainId, states: ['mined'] })
      return mined.map((tx) => tx.hash as Hex)
    },
    async close() {
      if (timings) addNodeCalls(timings, await facilitator.metrics.render())
      await served.close()
      await facilitator.close()
      await ledger.close()
      for (const error of errors)
        process.stderr.write(`tollgate facilitator background error: ${String(error)}\n`)
    },
  }
}

/**
 * Adds the facilitator's exchanges with the node, by method, to `timings` (from its
 * `rpc_duration_seconds` histogram: its calls go through its own connection pool, which `--trace`
 * does not see through `fetch`).
 */
function addNodeCalls(timings: Timings, metrics: string): void {
  const pattern =
    /^tollgate_facilitator_rpc_duration_seconds_(sum|count)\{[^}]*method="([^"]+)"[^}]*outcome="([^"]+)"\} (\S+)$/gm
  const totals = new Map<string, { count: number; sum: number }>()
  for (const [, field, method, outcome, value] of metrics.matchAll(pattern)) {
    const name = `rpc ${method}${outcome === 'ok' ? '' : ` (${outcome})`}`
    const entry = totals.get(name) ?? { count: 0, sum: 0 }
    entry[field as 'sum' | 'count'] += Number(value)
    totals.set(name, entry)
  }
  for (const [name, { count, sum }] of totals) timings.addTotal(name, count, sum * 1000)
}
