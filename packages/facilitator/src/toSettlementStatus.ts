import type { SettlementState } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import type { SettlementRecord } from './ledger/types.js'

/** What the ledger knows about one settlement (the status endpoint's answer, amounts as `bigint`). */
export type SettlementStatus = {
  chainId: number
  network: string
  asset: Address
  payer: Address
  nonce: Hex
  payee: Address
  /** Atomic units of `asset`. */
  value: bigint
  state: SettlementState
  /** The transaction that carries (or carried) it; `''` before one exists. */
  transaction: string
  blockNumber: bigint | undefined
  /** Blocks on top of (and including) its block, as of the facilitator's head. */
  confirmations: bigint | undefined
  reason: string | undefined
  paymentId: string | undefined
  /** Milliseconds since the epoch. */
  updatedAt: number
}

/** A ledger row as a status, with its confirmations counted from `head`. */
export function toSettlementStatus(
  record: SettlementRecord,
  head: bigint | undefined,
): SettlementStatus {
  const mined = record.state === 'confirmed' && record.blockNumber !== undefined
  return {
    chainId: record.chainId,
    network: `eip155:${record.chainId}`,
    asset: record.asset,
    payer: record.payer,
    nonce: record.nonce,
    payee: record.payee,
    value: record.value,
    state: record.state,
    transaction: record.txHash ?? '',
    blockNumber: record.blockNumber,
    confirmations:
      mined && head !== undefined
        ? head >= record.blockNumber!
          ? head - record.blockNumber! + 1n
          : 1n
        : undefined,
    reason: record.reason,
    paymentId: record.paymentId,
    updatedAt: record.updatedAt,
  }
}
