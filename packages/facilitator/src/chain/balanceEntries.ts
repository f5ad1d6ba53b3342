import { erc20Abi } from '@tollgate/evm'
import type { Address } from 'viem'
import type { CachedBalance } from './createBalanceCache.js'
import type { BlockWatcher } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'

/** One payer's balance of one token, as the cache holds it. */
export type BalanceEntry = {
  balance: bigint | undefined
  block: bigint
  /** Transfers seen after `block` while the first read was in flight. */
  pending: bigint
  read: Promise<CachedBalance> | undefined
}

/** What a balance cache holds: its entries, and the highest block whose logs were applied to them. */
export type BalanceState = {
  client: ChainClient
  watcher: BlockWatcher
  entries: Map<string, BalanceEntry>
  maxEntries: number
  applied: bigint | undefined
}

/** The cache's key of a payer's balance of a token. */
export function entryId(asset: Address, payer: Address): string {
  return `${asset.toLowerCase()}:${payer.toLowerCase()}`
}

/**
 * A new entry for `payer`'s balance of `asset`, read from the chain at the block whose logs are
 * applied, once the watcher has caught up with the chain (a first read is as recent as a direct
 * `balanceOf`). The oldest entry makes room when the cache is full.
 */
export async function readFresh(
  state: BalanceState,
  asset: Address,
  payer: Address,
): Promise<CachedBalance> {
  await state.watcher.pollFresh()
  if (state.entries.size >= state.maxEntries) {
    // Insertion order: a cold payer is read again when it comes back.
    const oldest = state.entries.keys().next().value
    if (oldest !== undefined) state.entries.delete(oldest)
  }
  const entry: BalanceEntry = {
    balance: undefined,
    block: state.applied ?? state.watcher.head?.number ?? 0n,
    pending: 0n,
    read: undefined,
  }
  state.entries.set(entryId(asset, payer), entry)
  return readInto(state, asset, payer, entry)
}

/**
 * Reads the balance into `entry` (transfers seen meanwhile are added); a failed read drops the
 * entry. The read is `entry.read` until it settles, for concurrent callers to share.
 */
function readInto(
  state: BalanceState,
  asset: Address,
  payer: Address,
  entry: BalanceEntry,
): Promise<CachedBalance> {
  // The block the balance is read at must be the one whose logs are applied, or a transfer would
  // be counted twice (or missed).
  const block = state.applied
  const promise = state.client
    .readContract({
      address: asset,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [payer],
      ...(block === undefined ? {} : { blockNumber: block }),
    })
    .then(async (balance) => {
      const at = block ?? (await state.client.getBlockNumber())
      entry.balance = balance + entry.pending
      entry.pending = 0n
      if (at > entry.block) entry.block = at
      entry.read = undefined
      return { balance: entry.balance, block: entry.block }
    })
    .catch((error: unknown) => {
      state.entries.delete(entryId(asset, payer))
      throw error
    })
  entry.read = promise
  return promise
}
