import type { TransactionReceipt } from 'viem'
import type { BlockEvent } from '../../chain/createBlockWatcher.js'
import type { SettlementRecord, TransactionRecord } from '../../ledger/types.js'
import { check } from './check.js'
import type { SettlerContext } from './context.js'
import { rebroadcast } from './rebroadcast.js'
import { getReceipt } from './receipts.js'
import { write } from './record.js'
import { byNonce, toTracked } from './tracked.js'

/** A new head: the block clock learns its time; receipts are read, or a reorg is undone. */
export async function onBlock(context: SettlerContext, event: BlockEvent): Promise<void> {
  context.blockClock.observe(event.head.number, event.head.seenAt ?? context.now())
  if (event.type === 'reorg') return onReorg(context, event.forkPoint)
  await check(context)
}

/**
 * The chain changed from `forkPoint` on: each of our transactions mined since is looked up again.
 * One still in the chain keeps its rows confirmed (in its new block); one dropped puts them back
 * to `submitted` and goes out again, oldest nonce first.
 */
export async function onReorg(context: SettlerContext, forkPoint: bigint): Promise<void> {
  const { ledger, chainId, tracked, onError } = context
  context.stats.reorgs++
  const mined = await ledger.listTransactions({ chainId, states: ['mined'], minBlock: forkPoint })
  for (const tx of mined) {
    const receipt = await getReceipt(context.client, tx.hash)
    const carried = (await ledger.listByTransaction(tx.hash)).filter((r) => r.state === 'confirmed')
    if (receipt) await moveBlock(context, tx, carried, receipt)
    else await unmine(context, tx, carried)
  }
  // Oldest nonce first, so the account's transactions land again in order.
  for (const tx of byNonce(tracked.values())) {
    if (!tx.broadcast) await rebroadcast(context, tx).catch(onError)
  }
}

/** Still in the chain, maybe in another block: its rows and record follow it there. */
async function moveBlock(
  context: SettlerContext,
  tx: TransactionRecord,
  carried: SettlementRecord[],
  receipt: TransactionReceipt,
): Promise<void> {
  const block = { blockNumber: receipt.blockNumber, blockHash: receipt.blockHash }
  await write(
    context,
    [{ keys: carried, from: ['confirmed'], to: 'confirmed', txHash: tx.hash, set: { ...block } }],
    { updateTransaction: { hash: tx.hash, set: { ...block } } },
  )
}

/** Dropped by the reorg: back to submitted, and the same signed transaction goes out again. */
async function unmine(
  context: SettlerContext,
  tx: TransactionRecord,
  carried: SettlementRecord[],
): Promise<void> {
  const block = { blockNumber: null, blockHash: null }
  await write(
    context,
    [{ keys: carried, from: ['confirmed'], to: 'submitted', txHash: tx.hash, set: { ...block } }],
    { updateTransaction: { hash: tx.hash, set: { state: 'pending', ...block } } },
  )
  context.tracked.set(tx.hash, toTracked(tx, false, context.now()))
  context.nonceManagers.get(tx.sender.toLowerCase())?.resync()
}
