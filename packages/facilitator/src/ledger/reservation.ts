import { expiresAt, permit2Column } from './rows.js'
import type { ReserveParameters, SettlementEntry, SettlementRecord } from './types.js'

/**
 * Whether a row no longer holds its authorization: `released`, or `verified` with its hold run
 * out. A reservation may take such a row over; any other row answers `exists`.
 */
export function isLapsed(record: SettlementRecord, time: number): boolean {
  return (
    record.state === 'released' || (record.state === 'verified' && (record.holdUntil ?? 0) <= time)
  )
}

/** What the payer has open (verified and held, queued, submitted) and confirmed after the balance's block. */
export type OpenAmounts = { open: bigint; unreflected: bigint }

/**
 * The columns a reservation writes, in the order both ledgers bind them: state, payee, value,
 * valid_after, valid_before, expires_at, signature, payment_id, hold_until, permit2.
 */
export type ReservationFields = readonly [
  state: ReserveParameters['state'],
  payee: string,
  value: string,
  validAfter: string,
  validBefore: string,
  expiresAt: number,
  signature: string,
  paymentId: string | null,
  holdUntil: number | null,
  permit2: string | null,
]

/** A reservation refused by the payer's limits, or the columns to write. */
export type ReservationDecision =
  | { status: 'exposure_cap'; exposure: bigint }
  | { status: 'insufficient_balance'; reserved: bigint }
  | { status: 'reserve'; fields: ReservationFields }

/**
 * The reservation of `entry` once the payer's open amounts are read (under the ledger's lock):
 * refused past the exposure cap (what is open) or the balance (open and not yet in the balance),
 * else the row's columns.
 */
export function decideReservation(
  entry: SettlementEntry,
  parameters: ReserveParameters,
  { open, unreflected }: OpenAmounts,
  time: number,
): ReservationDecision {
  if (parameters.exposureCap !== undefined && open + entry.value > parameters.exposureCap)
    return { status: 'exposure_cap', exposure: open }
  if (parameters.balance !== undefined && open + unreflected + entry.value > parameters.balance)
    return { status: 'insufficient_balance', reserved: open + unreflected }
  const holdUntil = parameters.state === 'verified' ? time + (parameters.holdMs ?? 300_000) : null
  return {
    status: 'reserve',
    fields: [
      parameters.state,
      entry.payee.toLowerCase(),
      entry.value.toString(),
      entry.validAfter.toString(),
      entry.validBefore.toString(),
      expiresAt(entry.validBefore),
      entry.signature,
      entry.paymentId ?? null,
      holdUntil,
      permit2Column(entry.permit2),
    ],
  }
}

/** Authorizations a write's transitions carry: the item count of the transaction it records. */
export function itemCountOf(transitions: readonly { keys: readonly unknown[] }[] | undefined) {
  return transitions?.reduce((n, request) => n + request.keys.length, 0) ?? 0
}
