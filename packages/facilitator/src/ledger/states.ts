import { type SettlementState, settlementStates } from '@tollgate/core'

/**
 * The transitions the state machine allows. `confirmed` can go back when a reorg drops its
 * transaction; `failed` can still become `confirmed` when reconciliation finds the transfer
 * on-chain (a transaction we gave up on was mined after all).
 */
export const allowedTransitions: Readonly<Record<SettlementState, readonly SettlementState[]>> = {
  verified: ['verified', 'queued', 'released', 'failed'],
  queued: ['queued', 'submitted', 'confirmed', 'failed'],
  submitted: ['submitted', 'confirmed', 'queued', 'failed'],
  confirmed: ['confirmed', 'submitted', 'queued'],
  released: ['released', 'verified', 'queued'],
  failed: ['failed', 'confirmed'],
}

/** Whether the state machine allows `from -> to`. */
export function canTransition(from: SettlementState, to: SettlementState): boolean {
  return allowedTransitions[from].includes(to)
}

/** Whether `value` names a settlement state (guards SQL built from state names). */
export function isSettlementState(value: string): value is SettlementState {
  return (settlementStates as readonly string[]).includes(value)
}
