import type { Hex } from 'viem'
import type { SettlerContext } from './context.js'
import { markBroadcast, rebroadcast, replace } from './rebroadcast.js'
import { getReceipt, processReceipt } from './receipts.js'
import { byNonce, type Tracked } from './tracked.js'

/**
 * Checks the receipts of `hashes`, or of every tracked transaction (one such check at a time:
 * a call while one runs joins it). Never rejects: errors go to `onError`.
 */
export function check(context: SettlerContext, hashes?: readonly Hex[]): Promise<void> {
  if (hashes) return checkTracked(context, hashes).catch(context.onError)
  context.checking ??= checkTracked(context)
    .catch(context.onError)
    .finally(() => {
      context.checking = undefined
    })
  return context.checking
}

/** Reads the receipts of the transactions in flight; rebroadcasts or replaces the ones stuck. */
async function checkTracked(context: SettlerContext, hashes?: readonly Hex[]): Promise<void> {
  const { tracked, onError } = context
  const list = byNonce(
    (hashes ?? [...tracked.keys()])
      .map((hash) => tracked.get(hash))
      .filter((tx): tx is Tracked => tx !== undefined),
  )
  if (list.length === 0) return
  const receipts = await Promise.all(
    list.map((tx) =>
      getReceipt(context.client, tx.hash).catch((error: unknown) => {
        onError(error)
        return null
      }),
    ),
  )
  for (const [index, tx] of list.entries()) {
    const receipt = receipts[index]
    if (receipt === null) continue
    try {
      if (receipt) await processReceipt(context, tx, receipt)
      else if (!hashes) await checkStuck(context, tx)
    } catch (error) {
      onError(error)
    }
  }
}

/**
 * A transaction with no receipt yet: replaced once it has been pending `replaceAfterMs`,
 * broadcast again when no node reports it `rebroadcastAfterMs` after the last attempt.
 */
export async function checkStuck(context: SettlerContext, tx: Tracked): Promise<void> {
  const time = context.now()
  if (tx.broadcast && time - tx.firstSentAt >= context.replaceAfterMs) return replace(context, tx)
  if (time - tx.sentAt < context.rebroadcastAfterMs) return
  const known = await context.client.request({
    method: 'eth_getTransactionByHash',
    params: [tx.hash],
  })
  if (known) {
    tx.sentAt = time
    return markBroadcast(context, tx)
  }
  return rebroadcast(context, tx)
}
