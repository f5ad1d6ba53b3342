import type { AuthorizationFinding } from '../purchases/inspectAuthorization.js'
import type { Receipt } from '../receipts/receipt.js'
import type { BookEntry } from './book.js'
import type { PayerContext } from './context.js'

/** What reconciling an entry looked up, and the record it left. */
export type Reconciled = {
  /** `undefined` when nothing could tell. */
  readonly finding: AuthorizationFinding | undefined
  readonly receipt: Receipt
}

/**
 * Applies what was found about an entry's authorization: spent is `settled` (`not-delivered`
 * when no paid content came), unspent and expired or cancelled is `refused`; the rest changes
 * nothing. Resolves with the entry's record after it (the one before when nothing changed).
 */
export async function settleFate(
  ctx: PayerContext,
  entry: BookEntry,
  finding: AuthorizationFinding | undefined,
): Promise<Receipt> {
  const { receipt } = entry
  if (!finding || receipt.status === 'settled') return receipt
  const reconciled = { by: finding.by, finding: finding.finding, at: ctx.now() }
  if (finding.finding === 'spent') {
    const reservation = entry.reservation ?? ctx.hold(receipt)
    reservation.commit()
    const delivered = receipt.responseStatus !== undefined && receipt.responseStatus < 400
    const settled: Receipt = {
      ...receipt,
      status: 'settled',
      transaction: receipt.transaction ?? finding.transaction,
      disputed: delivered ? receipt.disputed : 'not-delivered',
      reconciled,
    }
    await ctx.record(settled, undefined)
    return settled
  }
  if (finding.finding === 'unspent-expired' || finding.finding === 'cancelled') {
    entry.reservation?.release()
    const refused: Receipt = { ...receipt, status: 'refused', reconciled }
    await ctx.record(refused, undefined)
    return refused
  }
  return receipt
}

/**
 * Looks up an indeterminate entry's authorization and applies the finding. Resolves with what
 * was looked up and the record it left, or `undefined` when nothing was: the entry was not
 * indeterminate.
 */
export async function reconcileEntry(
  ctx: PayerContext,
  entry: BookEntry,
): Promise<Reconciled | undefined> {
  if (entry.receipt.status !== 'indeterminate') return undefined
  const finding = await ctx.inspect(entry.receipt)
  return { finding, receipt: await settleFate(ctx, entry, finding) }
}
