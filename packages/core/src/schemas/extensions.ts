import { z } from 'zod'
import { recordSchema } from './primitives.js'

/** One extension entry: `{ info, schema }` (JSON Schema), other keys kept. */
export const extensionSchema = z.looseObject({
  info: z.unknown().optional(),
  schema: z.unknown().optional(),
})
/** One extension entry. */
export type Extension = z.infer<typeof extensionSchema>

/** The `extensions` map of PaymentRequired / PaymentPayload, keyed by extension id. */
export const extensionsSchema = z.record(z.string(), extensionSchema)
/** The `extensions` map. */
export type Extensions = z.infer<typeof extensionsSchema>

/** The key of the `payment-identifier` extension. */
export const paymentIdentifierKey = 'payment-identifier'

/** A payment identifier: 16 to 128 characters of `A-Z a-z 0-9 _ -`. */
export const paymentIdSchema = z
  .string()
  .min(16)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'Expected only letters, digits, "_" and "-"')

/**
 * The `payment-identifier` extension: the server advertises it (`info.required`), the client
 * echoes it with `info.id`, an idempotency key.
 */
export const paymentIdentifierExtensionSchema = z.looseObject({
  info: z.looseObject({
    required: z.boolean().optional(),
    id: paymentIdSchema.optional(),
  }),
  schema: recordSchema.optional(),
})
/** The `payment-identifier` extension. */
export type PaymentIdentifierExtension = z.infer<typeof paymentIdentifierExtensionSchema>
