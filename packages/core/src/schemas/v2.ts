import { z } from 'zod'
import { extensionsSchema } from './extensions.js'
import { nonEmptyStringSchema, recordSchema, uint256StringSchema } from './primitives.js'

// Objects are loose: unknown keys survive a parse unchanged, because a server matches the
// payload's `accepted` against its own requirements by deep equality. Optional strings accept
// `null`, which other implementations send for absent fields.

/** A CAIP-2 network id as the wire carries it (`namespace:reference`). */
export const caip2NetworkSchema = z
  .string()
  .min(3)
  .refine((value) => value.indexOf(':') > 0, {
    message: 'Expected a CAIP-2 id such as eip155:8453',
  })

/** The protected resource (v2 `resource`). */
export const resourceInfoSchema = z.looseObject({
  url: nonEmptyStringSchema,
  description: z.string().nullish(),
  mimeType: z.string().nullish(),
})
/** The protected resource (v2 `resource`). */
export type ResourceInfo = z.infer<typeof resourceInfoSchema>

/** One way to pay (an entry of v2 `accepts`). */
export const paymentRequirementsSchema = z.looseObject({
  scheme: nonEmptyStringSchema,
  network: caip2NetworkSchema,
  amount: uint256StringSchema,
  asset: nonEmptyStringSchema,
  payTo: nonEmptyStringSchema,
  maxTimeoutSeconds: z.number().int().positive(),
  extra: recordSchema.nullish(),
})
/** One way to pay (an entry of v2 `accepts`). */
export type PaymentRequirements = z.infer<typeof paymentRequirementsSchema>

/** The v2 402 challenge, carried base64-encoded in `PAYMENT-REQUIRED`. */
export const paymentRequiredSchema = z.looseObject({
  x402Version: z.literal(2),
  error: z.string().nullish(),
  resource: resourceInfoSchema,
  accepts: z.array(paymentRequirementsSchema).min(1),
  extensions: extensionsSchema.nullish(),
})
/** The v2 402 challenge. */
export type PaymentRequired = z.infer<typeof paymentRequiredSchema>

/** The v2 payment, carried base64-encoded in `PAYMENT-SIGNATURE`. */
export const paymentPayloadSchema = z.looseObject({
  x402Version: z.literal(2),
  resource: resourceInfoSchema.nullish(),
  accepted: paymentRequirementsSchema,
  payload: recordSchema,
  extensions: extensionsSchema.nullish(),
})
/** The v2 payment. */
export type PaymentPayload = z.infer<typeof paymentPayloadSchema>

/** A facilitator's `/verify` answer. */
export const verifyResponseSchema = z.looseObject({
  isValid: z.boolean(),
  invalidReason: z.string().nullish(),
  invalidMessage: z.string().nullish(),
  payer: z.string().nullish(),
  extensions: recordSchema.nullish(),
  extra: recordSchema.nullish(),
})
/** A facilitator's `/verify` answer. */
export type VerifyResponse = z.infer<typeof verifyResponseSchema>

/**
 * A facilitator's `/settle` answer, also the `PAYMENT-RESPONSE` header. `transaction` is `""`
 * on failure; a missing one (as in the specification's failure example) reads as `""`.
 */
export const settleResponseSchema = z.looseObject({
  success: z.boolean(),
  errorReason: z.string().nullish(),
  errorMessage: z.string().nullish(),
  payer: z.string().nullish(),
  transaction: z.string().default(''),
  network: nonEmptyStringSchema,
  amount: uint256StringSchema.nullish(),
  extensions: recordSchema.nullish(),
  extra: recordSchema.nullish(),
})
/** A facilitator's `/settle` answer. */
export type SettleResponse = z.infer<typeof settleResponseSchema>

/** One (version, scheme, network) a facilitator supports. */
export const supportedKindSchema = z.looseObject({
  x402Version: z.number().int().positive(),
  scheme: nonEmptyStringSchema,
  network: nonEmptyStringSchema,
  extra: recordSchema.nullish(),
})
/** One (version, scheme, network) a facilitator supports. */
export type SupportedKind = z.infer<typeof supportedKindSchema>

/** A facilitator's `/supported` answer; v1 facilitators omit `extensions` and `signers`. */
export const supportedResponseSchema = z.looseObject({
  kinds: z.array(supportedKindSchema),
  extensions: z.array(z.string()).default([]),
  signers: z.record(z.string(), z.array(z.string())).default({}),
})
/** A facilitator's `/supported` answer. */
export type SupportedResponse = z.infer<typeof supportedResponseSchema>
