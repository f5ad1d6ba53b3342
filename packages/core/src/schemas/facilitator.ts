import { z } from 'zod'
import { paymentPayloadV1Schema, paymentRequirementsV1Schema } from './v1.js'
import { paymentPayloadSchema, paymentRequirementsSchema } from './v2.js'

// `x402Version` is optional: the specification's own /verify example omits it, and the
// payload's version is authoritative anyway.
const requestV2Schema = z.looseObject({
  x402Version: z.literal(2).optional(),
  paymentPayload: paymentPayloadSchema,
  paymentRequirements: paymentRequirementsSchema,
})
const requestV1Schema = z.looseObject({
  x402Version: z.literal(1).optional(),
  paymentPayload: paymentPayloadV1Schema,
  paymentRequirements: paymentRequirementsV1Schema,
})

/** The body of `POST /verify`: a v2 or v1 payment with the requirements it answers. */
export const verifyRequestSchema = z.union([requestV2Schema, requestV1Schema])
/** The body of `POST /verify`. */
export type VerifyRequest = z.infer<typeof verifyRequestSchema>

/** The body of `POST /settle` (same shape as `/verify`). */
export const settleRequestSchema = z.union([requestV2Schema, requestV1Schema])
/** The body of `POST /settle`. */
export type SettleRequest = z.infer<typeof settleRequestSchema>
