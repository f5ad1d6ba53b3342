import { z } from 'zod'
import { nonEmptyStringSchema, recordSchema, uint256StringSchema } from './primitives.js'
import { supportedKindSchema } from './v2.js'

// x402 v1 (`specs/x402-specification-v1.md`): the challenge is a JSON body, the network a
// name such as `base-sepolia` (kept as any non-empty string, as the reference does), and each
// requirement carries its resource.

/** One way to pay (an entry of v1 `accepts`). */
export const paymentRequirementsV1Schema = z.looseObject({
  scheme: nonEmptyStringSchema,
  network: nonEmptyStringSchema,
  maxAmountRequired: uint256StringSchema,
  resource: nonEmptyStringSchema,
  description: z.string(),
  mimeType: z.string().nullish(),
  outputSchema: recordSchema.nullish(),
  payTo: nonEmptyStringSchema,
  maxTimeoutSeconds: z.number().int().positive(),
  asset: nonEmptyStringSchema,
  extra: recordSchema.nullish(),
})
/** One way to pay (an entry of v1 `accepts`). */
export type PaymentRequirementsV1 = z.infer<typeof paymentRequirementsV1Schema>

/** The v1 402 challenge (a JSON response body). */
export const paymentRequiredV1Schema = z.looseObject({
  x402Version: z.literal(1),
  error: z.string().nullish(),
  accepts: z.array(paymentRequirementsV1Schema).min(1),
})
/** The v1 402 challenge. */
export type PaymentRequiredV1 = z.infer<typeof paymentRequiredV1Schema>

/** The v1 payment, carried base64-encoded in `X-PAYMENT`. */
export const paymentPayloadV1Schema = z.looseObject({
  x402Version: z.literal(1),
  scheme: nonEmptyStringSchema,
  network: nonEmptyStringSchema,
  payload: recordSchema,
})
/** The v1 payment. */
export type PaymentPayloadV1 = z.infer<typeof paymentPayloadV1Schema>

/** A v1 facilitator's `/supported` answer (only `kinds`). */
export const supportedResponseV1Schema = z.looseObject({
  kinds: z.array(supportedKindSchema),
})
/** A v1 facilitator's `/supported` answer. */
export type SupportedResponseV1 = z.infer<typeof supportedResponseV1Schema>
