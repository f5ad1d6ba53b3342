import { z } from 'zod'
import { addressSchema, uint256StringSchema } from './primitives.js'

// The status endpoint of a Tollgate facilitator (`GET /settlements/...`): not part of x402, shared
// here so the service that answers and the clients that ask read one schema.

/**
 * Where a settlement stands: `verified -> queued -> submitted -> confirmed`, or `released` (not
 * served, nothing charged) or `failed`.
 */
export const settlementStates = [
  'verified',
  'queued',
  'submitted',
  'confirmed',
  'released',
  'failed',
] as const

/** One of {@link settlementStates}. */
export type SettlementState = (typeof settlementStates)[number]

/** One settlement as the status endpoint answers it: amounts and blocks as decimal strings. */
export const settlementStatusSchema = z.object({
  chainId: z.number().int().positive(),
  network: z.string(),
  asset: addressSchema,
  payer: addressSchema,
  nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'Expected a 32-byte hex nonce'),
  payee: addressSchema,
  /** Atomic units. */
  value: uint256StringSchema,
  state: z.enum(settlementStates),
  /** The transaction that carries (or carried) it; `''` before one exists. */
  transaction: z.string(),
  blockNumber: uint256StringSchema.nullable(),
  /** Blocks on top of (and including) its block, as of the facilitator's head. */
  confirmations: uint256StringSchema.nullable(),
  reason: z.string().nullable(),
  paymentId: z.string().nullable(),
  /** Milliseconds since the Unix epoch. */
  updatedAt: z.number(),
})

/** One settlement as the status endpoint answers it. */
export type SettlementStatusResponse = z.infer<typeof settlementStatusSchema>

/** The answer to `GET /settlements?paymentId=...`: every settlement with that payment id. */
export const settlementStatusListSchema = z.object({
  settlements: z.array(settlementStatusSchema),
})
