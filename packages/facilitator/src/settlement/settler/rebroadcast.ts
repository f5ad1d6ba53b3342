import { type Hex, keccak256, parseTransaction } from 'viem'
import { broadcastTransaction } from '../broadcastTransaction.js'
import type { Fees } from '../createFeeStrategy.js'
import { abandon } from './abandon.js'
import type { SettlerContext } from './context.js'
import { getReceipt, processReceipt } from './receipts.js'
import { publish, write } from './record.js'
import type { Tracked } from './tracked.js'

/**
 * Broadcasts `tx` again. When a node refuses it, it may have been mined meanwhile (its receipt
 * is processed), its nonce may be taken (it is abandoned), or its fees may be too low now (it is
 * replaced at the same nonce, so no gap opens).
 */
export async function rebroadcast(context: SettlerContext, tx: Tracked): Promise<void> {
  tx.sentAt = context.now()
  const result = await broadcastTransaction(context.client, tx.raw)
  context.stats.rebroadcasts++
  if (result.status === 'sent') return markBroadcast(context, tx)
  if (result.status === 'ambiguous') return
  // Refused or its nonce is taken: it may have been mined meanwhile.
  const receipt = await getReceipt(context.client, tx.hash)
  if (receipt) return processReceipt(context, tx, receipt)
  if (result.status === 'nonce_used') return abandon(context, tx)
  // The node refuses it (fees too low now, ...): same nonce, new fees, so no gap opens.
  return replace(context, tx)
}

/** A node has the transaction: `submitted` waiters may answer now. */
export async function markBroadcast(context: SettlerContext, tx: Tracked): Promise<void> {
  if (tx.broadcast) return
  tx.broadcast = true
  publish(context, await context.ledger.listByTransaction(tx.hash))
}

/** Signs the same call at the same nonce with higher fees; the rows move to the new hash. */
export async function replace(context: SettlerContext, tx: Tracked): Promise<void> {
  const { chainId, tracked, now } = context
  const raw = await signReplacement(context, tx)
  if (raw === undefined) return
  const hash = keccak256(raw)
  const carried = (await context.ledger.listByTransaction(tx.hash)).filter(
    (r) => r.state === 'submitted',
  )
  const result = await write(
    context,
    [
      {
        keys: carried,
        from: ['submitted'],
        to: 'submitted',
        txHash: tx.hash,
        set: { txHash: hash, incrementAttempts: true },
      },
    ],
    {
      insertTransaction: { hash, chainId, sender: tx.sender, nonce: tx.nonce, raw },
      updateTransaction: { hash: tx.hash, set: { state: 'dropped' } },
    },
  )
  if (!result.ok) return
  context.stats.replacements++
  tracked.delete(tx.hash)
  const next: Tracked = { ...tx, hash, raw, broadcast: false, sentAt: 0, firstSentAt: now() }
  tracked.set(hash, next)
  await rebroadcast(context, next)
}

/** `tx` signed again with bumped fees; `undefined` when its account or its fees are unknown. */
async function signReplacement(context: SettlerContext, tx: Tracked): Promise<Hex | undefined> {
  const account = context.accountsByAddress.get(tx.sender.toLowerCase())
  const previous = feesOf(tx.raw)
  if (!account?.signTransaction || !previous) return undefined
  const parsed = parseTransaction(tx.raw)
  const fees = await context.feeStrategy.replacement(previous)
  return account.signTransaction({
    type: 'eip1559',
    chainId: context.chainId,
    nonce: tx.nonce,
    to: parsed.to ?? null,
    data: parsed.data ?? '0x',
    gas: parsed.gas ?? 0n,
    value: 0n,
    ...fees,
  })
}

/** The EIP-1559 fee caps a signed transaction was sent with. */
function feesOf(raw: Hex): Fees | undefined {
  try {
    const tx = parseTransaction(raw)
    if (tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined) return undefined
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
  } catch {
    return undefined
  }
}
