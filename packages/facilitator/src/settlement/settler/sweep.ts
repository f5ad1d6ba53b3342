import type { SettlerContext } from './context.js'
import { write } from './record.js'
import { toTracked } from './tracked.js'

/** Lapsed holds released per ledger read, and reads per sweep at most. */
const releasePage = 500
const releasePagesPerSweep = 20

/** Picks up what nobody is working on: pending transactions of a dead instance, lapsed holds. */
export async function sweep(context: SettlerContext): Promise<void> {
  const { ledger, chainId, tracked, now } = context
  const pending = await ledger.listTransactions({ chainId, states: ['pending'] })
  const stale = now() - context.rebroadcastAfterMs
  for (const tx of pending)
    if (!tracked.has(tx.hash) && tx.updatedAt < stale)
      tracked.set(tx.hash, toTracked(tx, false, now()))
  await releaseLapsedHolds(context)
}

/**
 * `verified` rows whose hold ended go to `released`, a page at a time, however many rows with a
 * live hold expire before them. (The filter stays for a ledger that does not read `holdBefore`.)
 */
async function releaseLapsedHolds(context: SettlerContext): Promise<void> {
  const { ledger, chainId, now } = context
  for (let page = 0; page < releasePagesPerSweep; page++) {
    const time = now()
    const rows = await ledger.list({
      chainId,
      states: ['verified'],
      holdBefore: time,
      limit: releasePage,
    })
    const lapsed = rows.filter((r) => (r.holdUntil ?? 0) < time)
    if (lapsed.length > 0)
      await write(context, [
        { keys: lapsed, from: ['verified'], to: 'released', set: { holdUntil: null } },
      ])
    if (rows.length < releasePage || lapsed.length === 0) return
  }
}
