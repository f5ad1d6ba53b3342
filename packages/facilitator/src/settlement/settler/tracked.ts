import type { Address, Hex } from 'viem'
import type { TransactionRecord } from '../../ledger/types.js'

/** A transaction this process signed (or took over) whose receipt is not in yet. */
export type Tracked = {
  hash: Hex
  sender: Address
  nonce: number
  raw: Hex
  /** A node confirmed having the transaction (or we got past the broadcast). */
  broadcast: boolean
  /** Last broadcast attempt, ms. */
  sentAt: number
  /** First broadcast, ms (replacement clock). */
  firstSentAt: number
}

/** Tracks a stored transaction again (recovery, a sweep, a reorg): never sent by this process yet. */
export function toTracked(tx: TransactionRecord, broadcast: boolean, now: number): Tracked {
  return {
    hash: tx.hash,
    sender: tx.sender,
    nonce: tx.nonce,
    raw: tx.raw,
    broadcast,
    sentAt: 0,
    firstSentAt: now,
  }
}

/** The tracked transactions, oldest nonce first (so an account's transactions land in order). */
export function byNonce(tracked: Iterable<Tracked>): Tracked[] {
  return [...tracked].sort((a, b) => a.nonce - b.nonce)
}
