import type { RpcObservation } from '../chain/observeRpc.js'
import type { ChainRuntime } from '../chain/types.js'
import type { Ledger } from '../ledger/types.js'
import type { SettlerStats } from '../settlement/createSettler.js'
import type { Counter, MetricsRegistry } from './metrics.js'

export type FacilitatorCounters = {
  /** `/verify` answers by result and reason. */
  verifications: Counter
  /** `/settle` answers by mode, result and reason. */
  settlements: Counter
}

const settlerCounters: [keyof SettlerStats, string, string][] = [
  [
    'transactionsSent',
    'tollgate_facilitator_transactions_sent_total',
    'Settlement transactions sent.',
  ],
  ['itemsSent', 'tollgate_facilitator_items_sent_total', 'Authorizations put in transactions.'],
  [
    'itemsConfirmed',
    'tollgate_facilitator_items_confirmed_total',
    'Authorizations confirmed on-chain.',
  ],
  [
    'itemsFailed',
    'tollgate_facilitator_items_failed_total',
    'Authorizations that failed for good.',
  ],
  [
    'itemsRequeued',
    'tollgate_facilitator_items_requeued_total',
    'Authorizations sent back to the queue.',
  ],
  ['rebroadcasts', 'tollgate_facilitator_rebroadcasts_total', 'Transactions broadcast again.'],
  ['replacements', 'tollgate_facilitator_replacements_total', 'Fee-bumped replacements.'],
  ['reorgs', 'tollgate_facilitator_reorgs_total', 'Reorgs noticed.'],
]

/**
 * The facilitator's metrics: answer counters, and gauges and settler counters read at scrape time
 * (ledger rows per state, chain heads, transactions in flight, balances cached).
 */
export function registerFacilitatorMetrics(
  metrics: MetricsRegistry,
  { ledger, chains }: { ledger: Ledger; chains: ReadonlyMap<number, ChainRuntime> },
): FacilitatorCounters {
  const verifications = metrics.counter(
    'tollgate_facilitator_verifications_total',
    'Verifications by scheme (exact, exact-permit2, upto), result and reason.',
  )
  const settlements = metrics.counter(
    'tollgate_facilitator_settlements_total',
    'Settle answers by scheme (exact, exact-permit2, upto), mode, result and reason.',
  )
  metrics.collect(async () => {
    const counts = await ledger.counts()
    const runtimes = [...chains.values()]
    const perChain = (value: (chain: ChainRuntime) => number) =>
      runtimes.map((chain) => ({ labels: { chain: chain.chainId }, value: value(chain) }))
    return [
      {
        name: 'tollgate_facilitator_ledger_rows',
        help: 'Ledger rows by settlement state.',
        type: 'gauge' as const,
        samples: Object.entries(counts).map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: 'tollgate_facilitator_chain_head',
        help: 'Latest block seen per chain.',
        type: 'gauge' as const,
        samples: perChain((chain) => Number(chain.watcher.head?.number ?? 0n)),
      },
      ...settlerCounters.map(([stat, name, help]) => ({
        name,
        help,
        type: 'counter' as const,
        samples: perChain((chain) => chain.settler.stats[stat]),
      })),
      {
        name: 'tollgate_facilitator_transactions_in_flight',
        help: 'Transactions without a receipt.',
        type: 'gauge' as const,
        samples: perChain((chain) => chain.settler.stats.tracked),
      },
      {
        name: 'tollgate_facilitator_balance_cache_entries',
        help: 'Payer balances held.',
        type: 'gauge' as const,
        samples: perChain((chain) => chain.balances.size),
      },
    ]
  })
  return { verifications, settlements }
}

/**
 * The histogram of the facilitator's exchanges with its nodes, by chain, JSON-RPC method, endpoint
 * (position in `rpcUrls`) and outcome: where a slow settlement waits on the chain.
 */
export function observeRpcMetrics(
  metrics: MetricsRegistry,
): (chainId: number, observation: RpcObservation) => void {
  const durations = metrics.histogram(
    'tollgate_facilitator_rpc_duration_seconds',
    'JSON-RPC exchanges with the nodes by chain, method, endpoint (1-based position in rpcUrls) and outcome.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  )
  return (chain, { method, endpoint, outcome, seconds }) =>
    durations.observe({ chain, method, endpoint, outcome }, seconds)
}
