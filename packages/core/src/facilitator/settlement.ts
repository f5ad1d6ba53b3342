import { reasons } from '../reasons.js'
import type { SettleResponse } from '../schemas/v2.js'

/**
 * When a settle call answers: after the transfer's receipt (`confirmed`, the reference
 * behaviour), once the transaction is broadcast (`submitted`), or once the authorization is
 * durably queued for a background settler (`queued`, Tollgate facilitators only).
 */
export type SettlementMode = 'confirmed' | 'submitted' | 'queued'

/** Every `SettlementMode`, for checking configuration and request input. */
export const settlementModes: readonly SettlementMode[] = ['confirmed', 'submitted', 'queued']

/**
 * A `settlement_pending` answer to `/settle`: the transfer may have been broadcast and its outcome
 * is not known yet (the reference facilitator's answer to a receipt timeout, and ours).
 */
export function isSettlementPending(settlement: SettleResponse): boolean {
  return !settlement.success && settlement.errorReason === reasons.settlementPending
}
