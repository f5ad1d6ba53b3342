import type { Address, Hex } from 'viem'
import { type BalanceEntry, type BalanceState, entryId } from './balanceEntries.js'
import type { BlockEvent } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'
import { readTransferLog, transferTopic } from './readTransferLog.js'

/**
 * Brings the cached balances up to a watcher event: new blocks' `Transfer` logs of `watched` (one
 * `eth_getLogs`) are applied to them; a reorg, or more than `maxReplayBlocks` blocks at once, drops
 * them instead (each is read again on its next use), as does an empty cache (nothing to move).
 */
export async function replayBlocks(
  state: BalanceState,
  event: BlockEvent,
  { watched, maxReplayBlocks }: { watched: Address[]; maxReplayBlocks: number },
): Promise<void> {
  if (event.type === 'reorg') {
    state.entries.clear()
    state.applied = event.head.number
    return
  }
  const from = state.applied === undefined ? event.from : state.applied + 1n
  if (from > event.to) return
  if (state.entries.size === 0 || event.to - from >= BigInt(maxReplayBlocks)) {
    state.entries.clear()
    state.applied = event.to
    return
  }
  const logs = await readTransferLogs(state.client, watched, from, event.to)
  applyTransfers(state.entries, logs)
  for (const entry of state.entries.values()) if (entry.block < event.to) entry.block = event.to
  state.applied = event.to
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
function applyTransfers(entries: Map<string, BalanceEntry>, logs: readonly RpcLog[]): void {
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
      const entry = entries.get(entryId(log.address, account))
      if (!entry || blockNumber <= entry.block) continue
      if (entry.balance === undefined) entry.pending += delta
      else entry.balance += delta
    }
  }
}
