import { reasons } from '@tollgate/core'
import type { SettlementPatch, SettlementRecord, SettlementState } from '../ledger/types.js'
import { facilitatorReasons } from '../verify/reasons.js'
import type { AuthorizationOnChain } from './reconcileAuthorization.js'

/** Why a transaction did not settle a row, as its receipt (or the node) told. */
export type UnsettledFailure = { reason: string; definitive: boolean }

export type DecideUnsettledParameters = {
  record: SettlementRecord
  /** What the chain proves about the row's authorization. */
  chain: AuthorizationOnChain
  failure: UnsettledFailure | undefined
  /** The clock, ms since the epoch. */
  now: number
  expiryMarginSeconds: number
  maxAttempts: number
}

/** The owner of a lease that parks a row whose outcome is unknown until it is looked up again. */
export const reconcileOwner = 'reconcile'

// An unknown outcome is looked up again after half the row's age: often at first, then less.
const minRetryMs = 1_000
const maxRetryMs = 300_000

/**
 * Where a row goes that left a transaction without settling in it (or is about to be sent again):
 * `confirmed` only on a proven transfer, `failed` on a proven cancellation or a final failure,
 * `queued` to be sent again when the nonce is unused, and `queued` under a lease nobody holds when
 * the nonce is spent without proof of how: it is looked up again, with backoff, and never sent.
 */
export function decideUnsettled({
  record,
  chain,
  failure,
  now,
  expiryMarginSeconds,
  maxAttempts,
}: DecideUnsettledParameters): { to: SettlementState; set: SettlementPatch } {
  const clear: SettlementPatch = { owner: null, leaseUntil: null }
  if (chain.status === 'used')
    return {
      to: 'confirmed',
      set: {
        ...clear,
        reason: null,
        txHash: chain.txHash,
        blockNumber: chain.blockNumber,
        blockHash: chain.blockHash,
      },
    }
  if (chain.status === 'canceled')
    return { to: 'failed', set: { ...clear, reason: facilitatorReasons.authorizationCanceled } }
  if (chain.status === 'unknown') {
    const delay = Math.min(maxRetryMs, Math.max(minRetryMs, (now - record.createdAt) / 2))
    return {
      to: 'queued',
      set: {
        owner: reconcileOwner,
        leaseUntil: Math.ceil(now + delay),
        reason: facilitatorReasons.authorizationOutcomeUnknown,
      },
    }
  }
  if (failure?.definitive) return { to: 'failed', set: { ...clear, reason: failure.reason } }
  if (record.validBefore <= BigInt(Math.floor(now / 1000) + expiryMarginSeconds))
    return {
      to: 'failed',
      set: { ...clear, reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore },
    }
  if (record.attempts >= maxAttempts)
    return {
      to: 'failed',
      set: { ...clear, reason: failure?.reason ?? reasons.invalidExactEvmTransactionFailed },
    }
  return { to: 'queued', set: { ...clear, reason: failure?.reason ?? null } }
}

/** Whether a decision puts the row back in the queue, free to be sent now. */
export function isSendable(decision: { to: SettlementState; set?: SettlementPatch | undefined }) {
  return decision.to === 'queued' && decision.set?.owner === null
}
