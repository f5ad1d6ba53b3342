import type { Address, LocalAccount } from 'viem'
import { claimBatch } from './claim.js'
import { ownerOf, type SettlerContext } from './context.js'
import { prepareBatch } from './prepare.js'
import { rebroadcast } from './rebroadcast.js'
import { submitBatch } from './submit.js'
import { byNonce } from './tracked.js'

/**
 * `account`'s settlement worker, until the settler stops: it sends nothing new while one of its
 * transactions is not broadcast, otherwise claims, prepares and submits a batch at a time. An
 * error is reported and the worker backs off (100 ms doubling to 2 s).
 */
export async function work(context: SettlerContext, account: LocalAccount): Promise<void> {
  const { signal, onError } = context
  const owner = ownerOf(context, account)
  let backoff = 0
  while (context.running) {
    try {
      if (await stalled(context, account.address)) {
        await signal.wait(200)
        continue
      }
      const claimed = await claimBatch(context, owner)
      if (claimed.length === 0) {
        await signal.wait(context.idleMs)
        continue
      }
      const rows = await prepareBatch(context, { owner, account, rows: claimed })
      if (rows.length > 0) await submitBatch(context, { account, owner, rows })
      backoff = 0
    } catch (error) {
      onError(error)
      backoff = Math.min(backoff * 2 || 100, 2_000)
      await signal.wait(backoff)
    }
  }
}

/** Rebroadcasts this account's transactions that no node has confirmed; true while some remain. */
async function stalled(context: SettlerContext, sender: Address): Promise<boolean> {
  const { tracked, now } = context
  const mine = byNonce(
    [...tracked.values()].filter(
      (tx) => !tx.broadcast && tx.sender.toLowerCase() === sender.toLowerCase(),
    ),
  )
  for (const tx of mine) {
    if (!tracked.has(tx.hash)) continue
    if (now() - tx.sentAt < Math.min(context.rebroadcastAfterMs, 500)) return true
    await rebroadcast(context, tx)
    if (tracked.has(tx.hash) && !tx.broadcast) return true
  }
  return false
}
