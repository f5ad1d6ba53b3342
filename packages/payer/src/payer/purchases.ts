import type { Account, Chain, Transport, WalletClient } from 'viem'
import { PurchaseNotFoundError } from '../errors/purchase.js'
import { cancelReceipt } from '../purchases/cancelReceipt.js'
import { latestByPurchase } from '../receipts/listPurchases.js'
import type { Receipt } from '../receipts/receipt.js'
import type { PayerContext } from './context.js'
import { reconcileEntry, settleFate } from './fate.js'
import type { LogLoader } from './loadLog.js'

/** What `purchases.cancel` needs: a client that sends the `cancelAuthorization` transaction. */
export type CancelPurchaseParameters = {
  walletClient: WalletClient<Transport, Chain | undefined, Account>
}

/** The purchases a payer made: their current state, reconciliation and cancellation. */
export type Purchases = {
  /** The latest record of every purchase (from the receipt log and this process). */
  list(): Promise<Receipt[]>
  /** The latest record of one purchase. */
  get(id: string): Promise<Receipt | undefined>
  /**
   * Looks up the fate of indeterminate purchases (one, or all) and records what changed:
   * spent becomes `settled`, unspent and expired `refused`; anything else stays `indeterminate`.
   * Resolves with their latest records.
   */
  reconcile(id?: string | undefined): Promise<Receipt[]>
  /**
   * Cancels a purchase's unsettled authorization on-chain (`cancelAuthorization`, signed by the
   * account): it can never be spent, the purchase is `refused`, and its next retry signs anew.
   * Rejects when the authorization was spent already (the purchase is then recorded `settled`).
   */
  cancel(id: string, parameters: CancelPurchaseParameters): Promise<Receipt>
}

/** Creates a payer's `purchases`. */
export function createPurchases(ctx: PayerContext, loader: LogLoader): Purchases {
  return {
    async list() {
      // The call that reads the log first lists what it read; later calls read it anew.
      const first = !loader.started
      const read = await ctx.load()
      if (!ctx.receipts) return ctx.book.receipts()
      return first ? [...read] : latestByPurchase(await ctx.receipts.list())
    },
    async get(id) {
      await ctx.load()
      return ctx.book.get(id)?.receipt
    },
    reconcile: (id) => reconcilePurchases(ctx, id),
    cancel: (id, parameters) => cancelPurchase(ctx, id, parameters),
  }
}

/** Reconciles one purchase, or every indeterminate one, each under its lock. */
async function reconcilePurchases(ctx: PayerContext, id: string | undefined): Promise<Receipt[]> {
  await ctx.load()
  const ids = id === undefined ? ctx.book.indeterminate() : [id]
  const results: Receipt[] = []
  for (const key of ids)
    await ctx.locks.run(key, async () => {
      const entry = ctx.book.get(key)
      if (!entry) throw new PurchaseNotFoundError({ purchase: key })
      // An unnamed call's record leaves the book once settled or refused: keep what it became.
      const looked = await reconcileEntry(ctx, entry)
      results.push(looked?.receipt ?? entry.receipt)
    })
  return results
}

/** Cancels a purchase's authorization on-chain and records it `refused`. */
async function cancelPurchase(
  ctx: PayerContext,
  id: string,
  { walletClient }: CancelPurchaseParameters,
): Promise<Receipt> {
  await ctx.load()
  return ctx.locks.run(id, async () => {
    const entry = ctx.book.get(id)
    if (!entry) throw new PurchaseNotFoundError({ purchase: id })
    const { receipt } = entry
    if (receipt.cancellation !== undefined) return receipt
    let hash: string
    try {
      hash = await cancelReceipt(ctx.account, { receipt, walletClient, assets: ctx.registry })
    } catch (error) {
      // Most likely spent already: record what the chain says, then report the failure.
      await settleFate(ctx, entry, await ctx.inspect(receipt))
      throw error
    }
    entry.reservation?.release()
    const cancelled: Receipt = {
      ...receipt,
      status: 'refused',
      cancellation: hash,
      reconciled: { by: 'cancellation', finding: 'cancelled', at: ctx.now() },
    }
    await ctx.record(cancelled, undefined)
    return cancelled
  })
}
