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
 * - `settled`: the server's settlement header says the transfer succeeded.
 * - `failed`: proven not charged (the server refused the payment or said settlement failed).
 * - `indeterminate`: the authorization may have been spent (no or unreadable settlement header,
 *   a pending settlement, a connection lost after the payment was sent). Its budget stays reserved.
 */
export type ReceiptStatus = 'settled' | 'failed' | 'indeterminate'

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

/** The record of one signed payment. */
export type Receipt = {
  /** Unique per payment (a UUID). */
  readonly id: string
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
  url: z.string(),
  method: z.string(),
  x402Version: z.union([z.literal(1), z.literal(2)]),
  requested: z.union([paymentRequiredSchema, paymentRequiredV1Schema]),
  accepted: z.union([paymentRequirementsSchema, paymentRequirementsV1Schema]),
  signed: z.union([paymentPayloadSchema, paymentPayloadV1Schema]),
  settlement: optional(settleResponseSchema),
  transaction: optional(z.string()),
  status: z.enum(['settled', 'failed', 'indeterminate']),
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
  return receiptSchema.parse(JSON.parse(line)) as Receipt
}
