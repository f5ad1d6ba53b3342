import { PurchaseIndeterminateError } from '../errors/purchase.js'
import { authorizationOf } from '../purchases/inspectAuthorization.js'
import type { PurchaseIdentity } from '../purchases/purchaseIdentity.js'
import type { Receipt, ResignReason } from '../receipts/receipt.js'
import type { BookEntry } from './book.js'
import type { PayerContext } from './context.js'
import type { Reconciled } from './fate.js'
import { reconcileEntry, settleFate } from './fate.js'

/** An authorization is re-sent only while it has at least this long left (clock skew, latency). */
export const resendMarginSeconds = 5

/** The seconds a receipt's authorization can still be spent, by the payer's clock. */
export function secondsLeft(ctx: PayerContext, receipt: Receipt): number {
  const authorization = authorizationOf(receipt.signed)
  if (!authorization) return 0
  return Number(authorization.validBefore) - Math.floor(ctx.now() / 1000)
}

/**
 * Why a purchase's authorization may be replaced by a new one, or `undefined` if it may not: it
 * never left, it expired unspent, or it was cancelled. `looked` is what this call already looked
 * up about it (`reconcileEntry`): not looked up again.
 */
export async function replacement(
  ctx: PayerContext,
  entry: BookEntry,
  looked: Pick<Reconciled, 'finding'> | undefined,
): Promise<ResignReason | undefined> {
  const { receipt } = entry
  if (receipt.cancellation !== undefined || receipt.reconciled?.finding === 'cancelled')
    return 'cancelled'
  if (receipt.status === 'settled') return undefined
  // Refused before anything reached a server: the authorization never left.
  if (
    receipt.status === 'refused' &&
    receipt.responseStatus === undefined &&
    receipt.reconciled === undefined
  )
    return 'never-sent'
  if (secondsLeft(ctx, receipt) > resendMarginSeconds) return undefined
  // Unspent and expired is final: the authorization can never be spent.
  if (receipt.reconciled?.finding === 'unspent-expired') return 'expired-unspent'
  const finding = looked ? looked.finding : await ctx.inspect(receipt)
  if (finding?.finding === 'spent') {
    await settleFate(ctx, entry, finding)
    return undefined
  }
  if (finding?.finding === 'cancelled') {
    if (receipt.status === 'indeterminate') await settleFate(ctx, entry, finding)
    return 'cancelled'
  }
  if (finding?.finding !== 'unspent-expired') return undefined
  if (receipt.status === 'indeterminate') await settleFate(ctx, entry, finding)
  return 'expired-unspent'
}

/** What the next payment of a purchase is: its authorization again, or a new one (and why). */
export type RetryPlan =
  | { readonly kind: 'resend'; readonly entry: BookEntry }
  | { readonly kind: 'sign'; readonly resigned: ResignReason | undefined }

/**
 * Decides how a purchase is paid this time. Learns what can be learnt first (an indeterminate
 * purchase is reconciled), then: a purchase never paid, or whose authorization can no longer be
 * spent, signs anew; one whose authorization may still be spent re-sends it, the same bytes; one
 * whose authorization expired and nothing proves unspent is never paid again blindly
 * (`PurchaseIndeterminateError`).
 */
export async function planRetry(ctx: PayerContext, identity: PurchaseIdentity): Promise<RetryPlan> {
  const entry = ctx.book.get(identity.id)
  if (!entry) return { kind: 'sign', resigned: undefined }
  const looked = await reconcileEntry(ctx, entry)
  const current = ctx.book.get(identity.id) ?? entry
  const resigned = await replacement(ctx, current, looked)
  if (resigned !== undefined) return { kind: 'sign', resigned }
  const latest = ctx.book.get(identity.id) ?? current
  if (
    latest.receipt.status !== 'settled' &&
    secondsLeft(ctx, latest.receipt) <= resendMarginSeconds
  )
    throw new PurchaseIndeterminateError({
      purchase: identity.id,
      reason: ctx.inspector.canProve(latest.receipt.network)
        ? 'its authorization expired and is not proven unspent'
        : `its authorization expired and no chain is configured for ${latest.receipt.network} to prove it unspent`,
    })
  return { kind: 'resend', entry: latest }
}
