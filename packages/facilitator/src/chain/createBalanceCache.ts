import { erc20Abi } from '@tollgate/evm'
import type { Address, Hex } from 'viem'
import type { BlockEvent, BlockWatcher } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'
import { readTransferLog, transferTopic } from './readTransferLog.js'

// keccak256('Transfer(address,address,uint256)')

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

type Entry = {
  balance: bigint | undefined
  block: bigint
  /** Transfers seen after `block` while the first read was in flight. */
  pending: bigint
  read: Promise<CachedBalance> | undefined
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
  const entries = new Map<string, Entry>()
  const watched = assets.map((a) => a.toLowerCase() as Address)
  // Highest block whose logs have been applied.
  let applied: bigint | undefined

  function read(asset: Address, payer: Address, entry: Entry): Promise<CachedBalance> {
    const promise = (async () => {
      // The block the balance is read at must be the one whose logs are applied, or a transfer
      // would be counted twice (or missed).
      const block = applied
      return {
        block,
        balance: await client.readContract({
          address: asset,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [payer],
          ...(block === undefined ? {} : { blockNumber: block }),
        }),
      }
    })()
      .then(async ({ block, balance }) => {
        const at = block ?? (await client.getBlockNumber())
        entry.balance = balance + entry.pending
        entry.pending = 0n
        if (at > entry.block) entry.block = at
        entry.read = undefined
        return { balance: entry.balance, block: entry.block }
      })
      .catch((error: unknown) => {
        entries.delete(id(asset, payer))
        throw error
      })
    entry.read = promise
    return promise
  }

  async function fresh(asset: Address, payer: Address): Promise<CachedBalance> {
    // Catch up with the chain first: the balance is read at the block whose logs are applied, and
    // a first read should be as recent as a direct `balanceOf` would be.
    await watcher.pollFresh()
    if (entries.size >= maxEntries) {
      // Drop the oldest (insertion order): a cold payer is read again when it comes back.
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
    const entry: Entry = {
      balance: undefined,
      block: applied ?? watcher.head?.number ?? 0n,
      pending: 0n,
      read: undefined,
    }
    entries.set(id(asset, payer), entry)
    return read(asset, payer, entry)
  }

  async function handle(event: BlockEvent): Promise<void> {
    if (event.type === 'reorg') {
      entries.clear()
      applied = event.head.number
      return
    }
    const from = applied === undefined ? event.from : applied + 1n
    if (from > event.to) return
    if (entries.size === 0 || event.to - from >= BigInt(maxReplayBlocks)) {
      entries.clear()
      applied = event.to
      return
    }
    const logs = await readTransferLogs(client, watched, from, event.to)
    applyTransfers(entries, logs)
    for (const entry of entries.values()) if (entry.block < event.to) entry.block = event.to
    applied = event.to
  }

  return {
    handle,
    get size() {
      return entries.size
    },
    async get({ asset, payer }) {
      const entry = entries.get(id(asset, payer))
      if (!entry) return fresh(asset, payer)
      if (entry.read) return entry.read
      return { balance: entry.balance ?? 0n, block: entry.block }
    },
    async refresh({ asset, payer }) {
      entries.delete(id(asset, payer))
      return fresh(asset, payer)
    },
    clear() {
      entries.clear()
    },
  }
}

/** The cache's key of a payer's balance of a token. */
function id(asset: Address, payer: Address): string {
  return `${asset.toLowerCase()}:${payer.toLowerCase()}`
}

type RpcLog = { address: Address; topics: Hex[]; data: Hex; blockNumber: Hex | null }

/** The `Transfer` logs of `assets` in blocks `from..to` (one `eth_getLogs`). */
async function readTransferLogs(
  client: ChainClient,
  assets: Address[],
  from: bigint,
  to: bigint,
): Promise<RpcLog[]> {
  return (await client.request({
    method: 'eth_getLogs',
    params: [
      {
        address: assets,
        topics: [transferTopic],
        fromBlock: `0x${from.toString(16)}`,
        toBlock: `0x${to.toString(16)}`,
      },
    ],
  })) as RpcLog[]
}

/**
 * Moves each cached balance by the transfers it has not seen: a log at or below an entry's block
 * is already in its balance; one that lands while the first read is in flight waits in `pending`.
 */
function applyTransfers(entries: Map<string, Entry>, logs: readonly RpcLog[]): void {
  for (const log of logs) {
    const transfer = readTransferLog(log)
    if (!transfer || log.blockNumber === null) continue
    const { from: sender, to: recipient, value } = transfer
    const blockNumber = BigInt(log.blockNumber)
    for (const [account, delta] of [
      [sender, -value],
      [recipient, value],
    ] as const) {
      if (!account) continue
      const entry = entries.get(id(log.address, account))
      if (!entry || blockNumber <= entry.block) continue
      if (entry.balance === undefined) entry.pending += delta
      else entry.balance += delta
    }
  }
}
