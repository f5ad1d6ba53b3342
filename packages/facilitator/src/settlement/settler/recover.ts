import type { SettlementRecord } from '../../ledger/types.js'
import { check, checkStuck } from './check.js'
import type { SettlerContext } from './context.js'
import { count, write } from './record.js'
import { onReorg } from './reorg.js'
import { byNonce, toTracked } from './tracked.js'
import { resolveUnsettled } from './unsettled.js'

/**
 * What a start picks up from the ledger: pending transactions are tracked again, rows left on a
 * transaction that is gone are resolved against the chain, receipts are read, transactions no
 * node has are sent again, and the last 64 blocks are checked for a reorg missed while down.
 */
export async function recover(context: SettlerContext): Promise<void> {
  const { ledger, chainId, tracked, watcher, onError } = context
  await watcher.poll()
  const pending = await ledger.listTransactions({ chainId, states: ['pending'] })
  for (const tx of pending) tracked.set(tx.hash, toTracked(tx, false, context.now()))
  const orphans = await findOrphans(context)
  if (orphans.length > 0) {
    const transitions = await resolveUnsettled(context, orphans, { from: ['submitted'] })
    count(context, (await write(context, transitions)).records)
  }
  await check(context)
  for (const tx of byNonce(tracked.values())) {
    if (tracked.has(tx.hash) && !tx.broadcast) await checkStuck(context, tx).catch(onError)
  }
  // Settlements mined just before the restart could have been reorged out while we were down.
  const head = watcher.head?.number
  if (head !== undefined) await onReorg(context, head > 64n ? head - 64n : 0n).catch(onError)
  context.stats.reorgs = 0
}

/** Rows left `submitted` on a transaction that is gone (dropped before a crash could requeue them). */
async function findOrphans(context: SettlerContext): Promise<SettlementRecord[]> {
  const { ledger, chainId, tracked } = context
  const submitted = await ledger.list({ chainId, states: ['submitted'], limit: 10_000 })
  const orphans: SettlementRecord[] = []
  for (const record of submitted) {
    if (record.txHash && tracked.has(record.txHash)) continue
    const tx = record.txHash ? await ledger.getTransaction(record.txHash) : undefined
    if (tx?.state === 'mined') continue
    orphans.push(record)
  }
  return orphans
}
