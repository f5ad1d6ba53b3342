import type { Address, Hex, LocalAccount } from 'viem'
import type { BlockWatcher } from '../chain/createBlockWatcher.js'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Ledger } from '../ledger/types.js'
import type { FeeStrategyParameters } from './createFeeStrategy.js'
import type { SettlementEvents } from './createSettlementEvents.js'
import type { SettlementGas } from './encodeSettlement.js'
import { createSettlerContext } from './settler/context.js'
import { createLifecycle, startSettler, stopSettler } from './settler/lifecycle.js'

/** What a chain's settler is built from, and its tuning. */
export type SettlerParameters = {
  chainId: number
  client: ChainClient
  watcher: BlockWatcher
  ledger: Ledger
  events: SettlementEvents
  /** The facilitator's accounts on this chain: one settlement worker each. */
  accounts: readonly LocalAccount[]
  /** Names this process in row leases; stable across restarts of the same instance. */
  instanceId: string
  /** The chain's `BatchSettler`; without one every authorization is its own transaction. */
  batchSettler?: Address | undefined
  /**
   * The chain's Multicall3, to batch Permit2 `exact` settlements (one `aggregate3` of proxy calls);
   * without it each is its own transaction. `upto` ones are never batched.
   */
  multicall3?: Address | undefined
  batch?:
    | {
        /** Authorizations per transaction at most. @default 50 */
        maxSize?: number | undefined
        /**
         * How long a worker may hold a partial batch to let it fill, in ms (0: send what is there).
         * New arrivals do not end the wait; a full batch does, and so does the next block (below).
         * @default 0
         */
        maxWaitMs?: number | undefined
        /**
         * Block-aligned waiting: on a chain whose blocks come at a steady interval, the wait ends
         * `blockMarginMs` before the next block is due, so the batch still makes that block; where
         * no steady interval is seen (instant mining, blocks faster than the head is polled) the
         * worker does not wait at all. With `false`, the wait is `maxWaitMs` whatever the chain does.
         * @default true
         */
        alignToBlocks?: boolean | undefined
        /** How long before a block is due the batch is sent, in ms. @default headPollingMs + 100 */
        blockMarginMs?: number | undefined
      }
    | undefined
  gas?: SettlementGas | undefined
  /** How often the watcher polls the head, in ms: how late a new block may be seen. @default 250 */
  headPollingMs?: number | undefined
  fees?: FeeStrategyParameters | undefined
  /** How long a worker holds the rows it claimed, in ms. @default 30_000 */
  leaseMs?: number | undefined
  /** How often an idle worker looks for work another instance queued, in ms. @default 250 */
  idleMs?: number | undefined
  /** A transaction no node reports after this long is broadcast again, in ms. @default 3_000 */
  rebroadcastAfterMs?: number | undefined
  /** A transaction pending this long gets a fee-bumped replacement, in ms. @default 60_000 */
  replaceAfterMs?: number | undefined
  /** Transactions an authorization may ride in before it fails. @default 5 */
  maxAttempts?: number | undefined
  /** An authorization closer than this to `validBefore` is not sent (it would expire in flight), in s. @default 2 */
  expiryMarginSeconds?: number | undefined
  /** How far back the chain's logs are searched when reconciling, in blocks. @default 100_000n */
  logLookbackBlocks?: bigint | undefined
  /**
   * Blocks per `eth_getLogs` request when reconciling: hosted RPCs refuse wide ranges (a refused
   * page is halved). @default 1_000n
   */
  logPageSizeBlocks?: bigint | undefined
  /** How often orphaned work (another instance's, or a lapsed hold) is collected, in ms. @default 5_000 */
  sweepMs?: number | undefined
  onError?: ((error: unknown) => void) | undefined
  now?: (() => number) | undefined
}

/** Counters of one chain's settler since it was created (read by `/metrics`). */
export type SettlerStats = {
  transactionsSent: number
  itemsSent: number
  itemsConfirmed: number
  itemsFailed: number
  itemsRequeued: number
  rebroadcasts: number
  replacements: number
  reorgs: number
  /** Transactions signed whose receipt is not in yet. */
  readonly tracked: number
}

/** The settlement engine of one chain (`facilitator.chains.get(id).settler`). */
export type Settler = {
  start(): Promise<void>
  /** New work is queued: a worker picks it up now rather than at its next idle poll. */
  wake(): void
  /** Whether this process signed `hash` and no node has confirmed receiving it yet. */
  awaitingBroadcast(hash: string): boolean
  stop(): Promise<void>
  readonly stats: SettlerStats
}

/**
 * The settlement engine of one chain. Each facilitator account has a worker that claims queued
 * rows (a lease in the ledger), signs one transaction for them (a batch through `BatchSettler`
 * when there are several), records `submitted` with the transaction's hash and raw bytes in one
 * commit, then broadcasts. Receipts are read right after the broadcast and on every new block;
 * a reorg that drops a mined transaction puts its rows back to `submitted` and the same raw
 * transaction is broadcast again. Before an authorization that has been in a transaction is sent
 * again (a retry, a restart, a dead transaction), the chain is asked whether it was spent.
 * The parts live in `./settler/`, one job a file, as plain functions over one `SettlerContext`.
 */
export function createSettler(parameters: SettlerParameters): Settler {
  const context = createSettlerContext(parameters)
  const lifecycle = createLifecycle()
  return {
    get stats() {
      return { ...context.stats, tracked: context.tracked.size }
    },
    start: () => startSettler(context, lifecycle),
    wake() {
      context.arrivals++
      context.signal.notify()
    },
    awaitingBroadcast(hash) {
      const tx = context.tracked.get(hash.toLowerCase() as Hex)
      return tx !== undefined && !tx.broadcast
    },
    stop: () => stopSettler(context, lifecycle),
  }
}
