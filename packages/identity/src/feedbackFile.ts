import { z } from 'zod'
import { InvalidFeedbackFileError } from './errors.js'

const caip10Schema = z
  .string()
  .regex(/^eip155:[1-9][0-9]*:0x[0-9a-fA-F]{40}$/, 'Expected "eip155:<chainId>:<address>"')
const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'Expected an address')

/** The x402 payment a feedback is about: the settlement transaction, payer and payee. */
export const proofOfPaymentSchema = z.looseObject({
  fromAddress: addressSchema,
  toAddress: addressSchema,
  /** Decimal chain id as a string (`"8453"`), as the ERC writes it. */
  chainId: z.string().regex(/^[1-9][0-9]*$/, 'Expected a decimal chain id'),
  txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'Expected a transaction hash'),
})

/** The off-chain feedback file of ERC-8004 (its MUST fields; other fields pass through). */
export const feedbackFileSchema = z.looseObject({
  agentRegistry: caip10Schema,
  agentId: z.union([z.number().int().nonnegative(), z.string().regex(/^(0|[1-9][0-9]*)$/)]),
  /** CAIP-10 account of the client giving the feedback. */
  clientAddress: caip10Schema,
  /** ISO-8601 time. */
  createdAt: z.iso.datetime({ offset: true }),
  /** An integer: a JSON number when it fits a double exactly, else a decimal string. */
  value: z.union([z.number().int(), z.string().regex(/^-?(0|[1-9][0-9]*)$/)]),
  valueDecimals: z.number().int().min(0).max(18),
  tag1: z.string().optional(),
  tag2: z.string().optional(),
  endpoint: z.string().optional(),
  proofOfPayment: proofOfPaymentSchema.optional(),
})

export type FeedbackFile = z.infer<typeof feedbackFileSchema>
export type ProofOfPayment = z.infer<typeof proofOfPaymentSchema>

/** A proof of payment as callers have it (chain id as a number is fine). */
export type ProofOfPaymentInput = Omit<ProofOfPayment, 'chainId'> & { chainId: number | string }

/** Checks a feedback file against the schema; throws `InvalidFeedbackFileError`. */
export function validateFeedbackFile(value: unknown): FeedbackFile {
  const result = feedbackFileSchema.safeParse(value)
  if (!result.success) throw new InvalidFeedbackFileError({ issues: result.error.issues })
  return result.data
}

/** An integer for JSON: a number when exact, else its decimal string. */
export function toJsonInteger(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString()
}
