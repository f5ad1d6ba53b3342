import type { SettlementRecord } from '../../ledger/types.js'
import type { SettlerContext } from './context.js'

/**
 * Claims up to a batch of queued rows for `owner`. With `maxWaitMs`, a partial batch waits to
 * fill (until the batch deadline, or until enough arrivals could fill it), then claims again.
 */
export async function claimBatch(
  context: SettlerContext,
  owner: string,
): Promise<SettlementRecord[]> {
  const { ledger, chainId, maxSize, leaseMs, maxWaitMs, now } = context
  // A lease lost with the machine's power only puts the rows back in the queue: nothing was sent
  // (the `submitted` write that follows is durable, and makes this one durable with it).
  const claim = { chainId, owner, limit: maxSize, leaseMs, durable: false }
  let rows = await ledger.claim(claim)
  if (rows.length > 0 && rows.length < maxSize && maxWaitMs > 0) {
    const deadline = batchDeadline(context)
    if (deadline === undefined || deadline - now() < 5) return rows
    // Arrivals wake the wait only to count themselves; it ends when the batch could be full.
    const seen = context.arrivals
    while (context.running && rows.length + context.arrivals - seen < maxSize) {
      const left = deadline - now()
      if (left <= 0) break
      await context.signal.wait(left)
    }
    rows = await ledger.claim(claim)
  }
  return rows
}

/** When a partial batch must go: `maxWaitMs` from now, or in time for the next block. */
function batchDeadline(context: SettlerContext): number | undefined {
  const { now, maxWaitMs, alignToBlocks, blockClock, blockMarginMs } = context
  const start = now()
  const cap = start + maxWaitMs
  if (!alignToBlocks) return cap
  const due = blockClock.nextBlockAt(start, blockMarginMs)
  return due === undefined ? undefined : Math.min(cap, due - blockMarginMs)
}
