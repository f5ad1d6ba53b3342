import type { SettlerContext } from './context.js'
import { count, write } from './record.js'
import type { Tracked } from './tracked.js'
import { resolveUnsettled } from './unsettled.js'

/** A transaction that can never be mined (its nonce went to another one): free its rows. */
export async function abandon(context: SettlerContext, tx: Tracked): Promise<void> {
  const carried = (await context.ledger.listByTransaction(tx.hash)).filter(
    (r) => r.state === 'submitted',
  )
  const transitions = await resolveUnsettled(context, carried, {
    from: ['submitted'],
    txHash: tx.hash,
  })
  const result = await write(context, transitions, {
    updateTransaction: { hash: tx.hash, set: { state: 'dropped' } },
  })
  count(context, result.records)
  context.tracked.delete(tx.hash)
  context.nonceManagers.get(tx.sender.toLowerCase())?.resync()
  context.signal.notify()
}
