import type { Address } from 'viem'
import { type BalanceState, entryId, readFresh } from './balanceEntries.js'
import type { BlockEvent, BlockWatcher } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'
import { replayBlocks } from './replayTransfers.js'

/** A payer's token balance, exact as of `block`. */
export type CachedBalance = { balance: bigint; block: bigint }

export type BalanceCache = {
  /** The cached balance, read from the chain on first use. */
  get(parameters: { asset: Address; payer: Address }): Promise<CachedBalance>
  /** Reads the balance again at the current head (when a cached one looks too low). */
  refresh(parameters: { asset: Address; payer: Address }): Promise<CachedBalance>
  /** Number of balances held. */
  readonly size: number
  clear(): void
}

export type CreateBalanceCacheParameters = {
  /** Tokens whose `Transfer` logs keep the cache current. */
  assets: readonly Address[]
  /** Balances held at most. @default 100_000 */
  maxEntries?: number | undefined
  /** Past this many new blocks at once, the cache is dropped instead of replayed. @default 500 */
  maxReplayBlocks?: number | undefined
}

/**
 * Token balances of payers, kept current without a read per verification: each balance is read
 * once at a known block, then every new block's `Transfer` logs of the watched tokens (one
 * `eth_getLogs` per poll, whatever the number of payers) are applied to it. A reorg drops the
 * cache. The ledger counts settlements confirmed after a balance's block as still reserved, so a
 * balance and the reservations against it always describe the same moment.
 */
export function createBalanceCache(
  client: ChainClient,
  watcher: BlockWatcher,
  { assets, maxEntries = 100_000, maxReplayBlocks = 500 }: CreateBalanceCacheParameters,
): BalanceCache & { handle(event: BlockEvent): Promise<void> } {
  const state: BalanceState = {
    client,
    watcher,
    entries: new Map(),
    maxEntries,
    applied: undefined,
  }
  const watched = assets.map((a) => a.toLowerCase() as Address)
  return {
    handle: (event) => replayBlocks(state, event, { watched, maxReplayBlocks }),
    get size() {
      return state.entries.size
    },
    async get({ asset, payer }) {
      const entry = state.entries.get(entryId(asset, payer))
      if (!entry) return readFresh(state, asset, payer)
      if (entry.read) return entry.read
      return { balance: entry.balance ?? 0n, block: entry.block }
    },
    async refresh({ asset, payer }) {
      state.entries.delete(entryId(asset, payer))
      return readFresh(state, asset, payer)
    },
    clear() {
      state.entries.clear()
    },
  }
}
