import type { Ledger, SettlementRecord, TransitionRequest } from '../../ledger/types.js'
import type { SettlerContext } from './context.js'

/** Publishes rows that changed, so `submitted`/`confirmed` waiters (and subscribers) see them. */
export function publish(context: SettlerContext, records: readonly SettlementRecord[]): void {
  if (records.length > 0) context.events.publish(records)
}

/** One ledger write (transitions with no rows left out), its changed rows published. */
export async function write(
  context: SettlerContext,
  transitions: TransitionRequest[],
  extra: Omit<Parameters<Ledger['write']>[0], 'transitions'> = {},
) {
  const result = await context.ledger.write({
    transitions: transitions.filter((t) => t.keys.length),
    ...extra,
  })
  publish(context, result.records)
  return result
}

/** Counts rows that reached an outcome (confirmed, failed) or went back to the queue. */
export function count(context: SettlerContext, records: readonly SettlementRecord[]): void {
  const { stats } = context
  for (const record of records) {
    if (record.state === 'confirmed') stats.itemsConfirmed++
    else if (record.state === 'failed') stats.itemsFailed++
    else if (record.state === 'queued') stats.itemsRequeued++
  }
}
