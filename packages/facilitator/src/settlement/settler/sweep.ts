import type { SettlerContext } from './context.js'
import { write } from './record.js'
import { toTracked } from './tracked.js'

/** Picks up what nobody is working on: pending transactions of a dead instance, lapsed holds. */
export async function sweep(context: SettlerContext): Promise<void> {
  const { ledger, chainId, tracked, now } = context
  const pending = await ledger.listTransactions({ chainId, states: ['pending'] })
  const stale = now() - context.rebroadcastAfterMs
  for (const tx of pending)
    if (!tracked.has(tx.hash) && tx.updatedAt < stale)
      tracked.set(tx.hash, toTracked(tx, false, now()))
  const lapsed = (await ledger.list({ chainId, states: ['verified'], limit: 500 })).filter(
    (r) => (r.holdUntil ?? 0) < now(),
  )
  if (lapsed.length > 0)
    await write(context, [
      { keys: lapsed, from: ['verified'], to: 'released', set: { holdUntil: null } },
    ])
}
