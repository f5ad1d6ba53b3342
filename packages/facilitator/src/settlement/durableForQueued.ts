import type { SettlementMode } from '@tollgate/core'
import type { Ledger, SettlementRecord } from '../ledger/types.js'

/**
 * A `queued` answer promises the transfer, so the row it is given on must be on disk. A `/settle`
 * in another mode queues without waiting for the disk (its own answer comes on the durable
 * `submitted` or `confirmed` write that follows), so a row still `queued` when a `/settle` in
 * `queued` mode finds it is written again, durably (a compare-and-set to the same state). Any later
 * state was written durably already; so was any row when the mode is not `queued`.
 */
export async function durableForQueued(
  ledger: Pick<Ledger, 'transition' | 'get'>,
  mode: SettlementMode,
  record: SettlementRecord,
): Promise<SettlementRecord> {
  if (mode !== 'queued' || record.state !== 'queued') return record
  // A row is its own key, as the settler passes rows.
  const [touched] = await ledger.transition({ keys: [record], from: ['queued'], to: 'queued' })
  // Moved on meanwhile (the settler took it): its new state was written durably.
  return touched ?? (await ledger.get(record)) ?? record
}
