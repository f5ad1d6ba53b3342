import { type Hex, keccak256, type LocalAccount } from 'viem'
import type { SettlementRecord } from '../../ledger/types.js'
import { broadcastTransaction } from '../broadcastTransaction.js'
import type { NonceManager } from '../createNonceManager.js'
import { encodePermit2Settlement } from '../encodePermit2Settlement.js'
import { encodeSettlement } from '../encodeSettlement.js'
import { toPermit2Item } from '../permit2Records.js'
import { abandon } from './abandon.js'
import type { SettlerContext } from './context.js'
import { readReceiptSoon } from './readReceiptSoon.js'
import { publish, write } from './record.js'
import type { Tracked } from './tracked.js'

/**
 * Signs one transaction for `rows`, records them `submitted` with its hash and raw bytes in one
 * commit, then broadcasts it. A refused broadcast puts the rows back and rethrows its cause.
 */
export async function submitBatch(
  context: SettlerContext,
  { account, owner, rows }: { account: LocalAccount; owner: string; rows: SettlementRecord[] },
): Promise<void> {
  const { ledger, chainId, tracked, stats, now } = context
  const nonces = context.nonceManagers.get(account.address.toLowerCase())!
  const { nonce, raw } = await signBatch(context, account, nonces, rows)
  const hash = keccak256(raw)
  const written = await ledger
    .write({
      atomic: true,
      transitions: [
        {
          keys: rows,
          from: ['queued'],
          to: 'submitted',
          owner,
          set: { txHash: hash, sender: account.address, txNonce: nonce, incrementAttempts: true },
        },
      ],
      insertTransaction: { hash, chainId, sender: account.address, nonce, raw },
    })
    .catch((error: unknown) => {
      // Whether the write committed is unknown (it may have, before the connection failed): the
      // counter starts again from the chain and the ledger, so the nonce is neither skipped (a gap
      // no later transaction gets past) nor used twice.
      nonces.resync()
      throw error
    })
  if (!written.ok) {
    // A lease was lost to another worker: nothing was recorded, the nonce is free again.
    nonces.release(nonce)
    return
  }
  const tx: Tracked = {
    hash,
    sender: account.address,
    nonce,
    raw,
    broadcast: false,
    sentAt: now(),
    firstSentAt: now(),
  }
  tracked.set(hash, tx)
  stats.transactionsSent++
  stats.itemsSent += rows.length
  const result = await broadcastTransaction(context.client, raw)
  if (result.status === 'sent') tx.broadcast = true
  // Published after the broadcast: `submitted` answers wait for a hash some node has.
  publish(context, written.records)
  if (result.status === 'sent') {
    // With instant mining the receipt is there at once or within ms; otherwise the next block
    // brings it. It is read beside the next batch, not before it: the worker claims again at once
    // (a `confirmed` answer no longer waits for the batch in flight before its own is sent).
    const reading = readReceiptSoon(context, hash)
    context.receiptChecks.add(reading)
    void reading.finally(() => context.receiptChecks.delete(reading))
    return
  }
  if (result.status === 'ambiguous') return
  if (result.status === 'nonce_used') {
    // Another transaction holds this nonce (an out-of-date counter): start again from the chain.
    await abandon(context, tx)
    return
  }
  // Refused outright (insufficient funds for gas, ...): nothing is in flight; free the rows and
  // the nonce, and report.
  await requeue(context, tx, nonces)
  throw result.cause
}

/** The settlement call for `rows`, signed at the account's next nonce (given back on failure). */
async function signBatch(
  context: SettlerContext,
  account: LocalAccount,
  nonces: NonceManager,
  rows: SettlementRecord[],
): Promise<{ nonce: number; raw: Hex }> {
  const { batchSettler, multicall3, gas } = context
  const call = rows[0]?.permit2
    ? encodePermit2Settlement({ items: rows.map(toPermit2Item), multicall3, gas: gas?.permit2 })
    : encodeSettlement({ items: rows, batchSettler, gas })
  const fees = await context.feeStrategy.current()
  const nonce = await nonces.take()
  try {
    const raw = await account.signTransaction!({
      type: 'eip1559',
      chainId: context.chainId,
      nonce,
      to: call.to,
      data: call.data,
      gas: call.gas,
      value: 0n,
      ...fees,
    })
    return { nonce, raw }
  } catch (error) {
    nonces.release(nonce)
    throw error
  }
}

/** A transaction no node took: its rows go back to the queue, its nonce is free again. */
async function requeue(context: SettlerContext, tx: Tracked, nonces: NonceManager): Promise<void> {
  const { hash } = tx
  const carried = await context.ledger.listByTransaction(hash)
  await write(
    context,
    [
      {
        keys: carried.filter((r) => r.state === 'submitted'),
        from: ['submitted'],
        to: 'queued',
        txHash: hash,
        set: { owner: null, leaseUntil: null },
      },
    ],
    { updateTransaction: { hash, set: { state: 'dropped' } } },
  )
  context.tracked.delete(hash)
  nonces.release(tx.nonce)
}
