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
  await resolveOrphans(context)
  await check(context)
  for (const tx of byNonce(tracked.values())) {
    if (tracked.has(tx.hash) && !tx.broadcast) await checkStuck(context, tx).catch(onError)
  }
  // Settlements mined just before the restart could have been reorged out while we were down.
  const head = watcher.head?.number
  if (head !== undefined) await onReorg(context, head > 64n ? head - 64n : 0n).catch(onError)
  context.stats.reorgs = 0
}

/** Orphans read per ledger call, and calls per start at most (50,000 rows). */
const orphanPage = 500
const orphanPagesPerStart = 100

/**
 * Resolves rows left `submitted` on a transaction that is gone (dropped before a crash could
 * requeue them), a page at a time, however many rows on live transactions come before them.
 */
async function resolveOrphans(context: SettlerContext): Promise<void> {
  for (let page = 0; page < orphanPagesPerStart; page++) {
    const { orphans, read } = await findOrphans(context)
    if (orphans.length === 0) return
    const transitions = await resolveUnsettled(context, orphans, { from: ['submitted'] })
    const moved = (await write(context, transitions)).records
    count(context, moved)
    if (read < orphanPage || moved.length === 0) return
  }
}

/**
 * A page of orphans. The ledger filters them (`orphaned`); the check here stays for a ledger that
 * does not: a row on a tracked, pending or mined transaction is not one.
 */
async function findOrphans(
  context: SettlerContext,
): Promise<{ orphans: SettlementRecord[]; read: number }> {
  const { ledger, chainId, tracked } = context
  const submitted = await ledger.list({
    chainId,
    states: ['submitted'],
    orphaned: true,
    limit: orphanPage,
  })
  const orphans: SettlementRecord[] = []
  for (const record of submitted) {
    if (record.txHash && tracked.has(record.txHash)) continue
    const tx = record.txHash ? await ledger.getTransaction(record.txHash) : undefined
    if (tx?.state === 'mined' || tx?.state === 'pending') continue
    orphans.push(record)
  }
  return { orphans, read: submitted.length }
}
