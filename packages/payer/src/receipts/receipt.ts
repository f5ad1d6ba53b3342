import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequired,
  PaymentRequiredV1,
  PaymentRequirements,
  PaymentRequirementsV1,
  SettleResponse,
} from '@tollgate/core'
import {
  paymentPayloadSchema,
  paymentPayloadV1Schema,
  paymentRequiredSchema,
  paymentRequiredV1Schema,
  paymentRequirementsSchema,
  paymentRequirementsV1Schema,
  settleResponseSchema,
} from '@tollgate/core'
import { z } from 'zod'

/**
 * - `settled`: the transfer happened (the server's settlement header says so, or reconciliation
 *   found the authorization spent).
 * - `refused`: proven not charged: the request never left, or the authorization was found unspent
 *   on-chain (after a 402, or once expired).
 * - `indeterminate`: the authorization may have been spent (a timeout, a 5xx or a lost connection
 *   after the payment was sent, a pending settlement, a missing or unreadable settlement header, a
 *   402 not proven unspent). Its budget stays reserved until it is reconciled.
 *
 * Logs written before `refused` existed say `failed`; they read as `refused`.
 */
export type ReceiptStatus = 'settled' | 'refused' | 'indeterminate'

/**
 * Why a purchase got a new authorization although it had one already: the earlier one can no
 * longer be spent.
 * - `never-sent`: it never left the agent (the connection was refused);
 * - `expired-unspent`: on-chain it is unused and its `validBefore` has passed;
 * - `cancelled`: it was cancelled on-chain with `cancelAuthorization`.
 */
export type ResignReason = 'never-sent' | 'expired-unspent' | 'cancelled'

export const resignReasons = [
  'never-sent',
  'expired-unspent',
  'cancelled',
] as const satisfies readonly ResignReason[]

/** How a record's status was established after the fact. */
export type Reconciliation = {
  /** `facilitator`: its settlement status endpoint; `chain`: `authorizationState` on-chain. */
  readonly by: 'facilitator' | 'chain' | 'cancellation'
  /** What was found: `spent`, `unspent-expired`, `unspent-valid`, `pending`, `cancelled`. */
  readonly finding: 'spent' | 'unspent-expired' | 'unspent-valid' | 'pending' | 'cancelled'
  /** Milliseconds since the epoch. */
  readonly at: number
}

/**
 * Why a payment is disputed: the signed authorization left the agent, and what came back does not
 * show a delivered, settled purchase. The authorization can be spent until its `validBefore`; the
 * operator can check it on-chain (`authorizationState` of its nonce) and take it up with the server.
 * - `settlement-missing`: a paid answer (a 402 included) without a settlement header;
 * - `settlement-unreadable`: its settlement header does not decode;
 * - `settlement-failed`: its settlement header says the settlement failed (not pending);
 * - `not-delivered`: the settlement succeeded, and the answer is an error (status >= 400);
 * - `no-response`: the connection was lost after the payment was sent.
 */
export type DisputeReason =
  | 'settlement-missing'
  | 'settlement-unreadable'
  | 'settlement-failed'
  | 'not-delivered'
  | 'no-response'

export const disputeReasons = [
  'settlement-missing',
  'settlement-unreadable',
  'settlement-failed',
  'not-delivered',
  'no-response',
] as const satisfies readonly DisputeReason[]

/**
 * The record of one signed payment. The log is append-only: a payment whose status changes (it is
 * reconciled, retried, cancelled) gets a new record with the same `id`; the latest one wins.
 */
export type Receipt = {
  /** Unique per signed authorization (a UUID); shared by the records of its later states. */
  readonly id: string
  /**
   * The purchase this payment is for: the caller's purchase id or `Idempotency-Key`, or, for a
   * call without one, the receipt's `id`. Records of a purchase share it; the latest one wins.
   */
  readonly purchase?: string | undefined
  /** The `payment-identifier` extension's id sent with the payment, when the server declared it. */
  readonly paymentId?: string | undefined
  /** Set on a purchase's new authorization: why the earlier one could be replaced. */
  readonly resigned?: ResignReason | undefined
  /** Set on a record whose status reconciliation (or a cancellation) established. */
  readonly reconciled?: Reconciliation | undefined
  /** The `cancelAuthorization` transaction, on the record of a cancelled authorization. */
  readonly cancellation?: string | undefined
  /** The URL paid: the one that answered the 402 (after redirects). */
  readonly url: string
  readonly method: string
  readonly x402Version: 1 | 2
  /** The server's 402 challenge, as received. */
  readonly requested: PaymentRequired | PaymentRequiredV1
  /** The option that was paid, as the server sent it. */
  readonly accepted: PaymentRequirements | PaymentRequirementsV1
  /** What was signed and sent (the payload, with the EIP-3009 authorization and signature). */
  readonly signed: PaymentPayload | PaymentPayloadV1
  /** The decoded `PAYMENT-RESPONSE` / `X-PAYMENT-RESPONSE`, when there was one. */
  readonly settlement: SettleResponse | undefined
  /** The settlement transaction hash, when the server gave one. */
  readonly transaction: string | undefined
  readonly status: ReceiptStatus
  /** Set when the payment may have been taken for nothing (see `DisputeReason`). */
  readonly disputed: DisputeReason | undefined
  /** Atomic units of `asset`. */
  readonly amount: bigint
  readonly asset: string
  /** CAIP-2. */
  readonly network: string
  readonly payTo: string
  readonly payer: string
  /** Paid on the first request from a cached requirement, without a 402 round trip. */
  readonly preemptive: boolean
  /** The HTTP status of the paid response; `undefined` when none arrived. */
  readonly responseStatus: number | undefined
  /** Milliseconds since the epoch, when the payment was sent. */
  readonly at: number
}

const optional = <schema extends z.ZodType>(schema: schema) =>
  schema.optional().transform((v) => v ?? undefined)

/** A receipt as stored in JSON (amounts as decimal strings). */
export const receiptSchema = z.object({
  id: z.string().min(1),
  purchase: optional(z.string().min(1)),
  paymentId: optional(z.string()),
  resigned: optional(z.enum(resignReasons)),
  reconciled: optional(
    z.object({
      by: z.enum(['facilitator', 'chain', 'cancellation']),
      finding: z.enum(['spent', 'unspent-expired', 'unspent-valid', 'pending', 'cancelled']),
      at: z.number(),
    }),
  ),
  cancellation: optional(z.string()),
  url: z.string(),
  method: z.string(),
  x402Version: z.union([z.literal(1), z.literal(2)]),
  requested: z.union([paymentRequiredSchema, paymentRequiredV1Schema]),
  accepted: z.union([paymentRequirementsSchema, paymentRequirementsV1Schema]),
  signed: z.union([paymentPayloadSchema, paymentPayloadV1Schema]),
  settlement: optional(settleResponseSchema),
  transaction: optional(z.string()),
  // `failed` is what logs said before `refused` existed: the same meaning.
  status: z
    .enum(['settled', 'refused', 'indeterminate', 'failed'])
    .transform((v) => (v === 'failed' ? 'refused' : v)),
  disputed: optional(z.enum(disputeReasons)),
  amount: z
    .string()
    .regex(/^\d+$/)
    .transform((v) => BigInt(v)),
  asset: z.string(),
  network: z.string(),
  payTo: z.string(),
  payer: z.string(),
  preemptive: z.boolean(),
  responseStatus: optional(z.number().int()),
  at: z.number(),
})

/** One JSON line for a receipt: bigints as decimal strings, no trailing newline. */
export function serializeReceipt(receipt: Receipt): string {
  return JSON.stringify(receipt, (_key, value) =>
    typeof value === 'bigint' ? value.toString() : value,
  )
}

/** Reads a receipt back from its JSON line; throws a zod error when it is not one. */
export function parseReceipt(line: string): Receipt {
  const parsed = receiptSchema.parse(JSON.parse(line)) as Receipt
  // Optional fields absent from the line stay absent, so a record reads back equal to itself.
  for (const key of optionalKeys)
    if ((parsed as Record<string, unknown>)[key] === undefined)
      delete (parsed as Record<string, unknown>)[key]
  return parsed
}

const optionalKeys = ['purchase', 'paymentId', 'resigned', 'reconciled', 'cancellation'] as const

/** The purchase a receipt belongs to: its `purchase`, or its own `id` for a call without one. */
export function purchaseOf(receipt: Receipt): string {
  return receipt.purchase ?? receipt.id
}
