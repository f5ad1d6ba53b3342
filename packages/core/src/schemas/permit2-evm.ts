import { z } from 'zod'
import { addressSchema, uint256StringSchema } from './primitives.js'

// Plain (stripping) objects, as the EIP-3009 payload: the verifier wants exact types.

const signatureSchema = z
  .string()
  .regex(/^0x(?:[0-9a-fA-F]{2})+$/, 'Expected 0x-prefixed hex bytes')

/** The token and maximum amount a Permit2 signature allows (Permit2's `TokenPermissions`). */
export const permit2TokenPermissionsSchema = z.object({
  token: addressSchema,
  amount: uint256StringSchema,
})

/** The Permit2 authorization of an `exact` payment: the witness binds the recipient. */
export const exactPermit2AuthorizationSchema = z.object({
  from: addressSchema,
  permitted: permit2TokenPermissionsSchema,
  spender: addressSchema,
  nonce: uint256StringSchema,
  deadline: uint256StringSchema,
  witness: z.object({ to: addressSchema, validAfter: uint256StringSchema }),
})
/** The Permit2 authorization of an `exact` payment (numbers as decimal strings). */
export type ExactPermit2Authorization = z.infer<typeof exactPermit2AuthorizationSchema>

/** The `payload` of an `exact` EVM payment through Permit2 (`assetTransferMethod: "permit2"`). */
export const exactPermit2PayloadSchema = z.object({
  signature: signatureSchema,
  permit2Authorization: exactPermit2AuthorizationSchema,
})
/** The `payload` of an `exact` EVM payment through Permit2. */
export type ExactPermit2Payload = z.infer<typeof exactPermit2PayloadSchema>

/** The Permit2 authorization of an `upto` payment: the witness also names the facilitator that sets the amount. */
export const uptoPermit2AuthorizationSchema = exactPermit2AuthorizationSchema.extend({
  witness: z.object({
    to: addressSchema,
    facilitator: addressSchema,
    validAfter: uint256StringSchema,
  }),
})
/** The Permit2 authorization of an `upto` payment (numbers as decimal strings). */
export type UptoPermit2Authorization = z.infer<typeof uptoPermit2AuthorizationSchema>

/** The `payload` of an `upto` EVM payment: a Permit2 signature for the maximum. */
export const uptoPermit2PayloadSchema = z.object({
  signature: signatureSchema,
  permit2Authorization: uptoPermit2AuthorizationSchema,
})
/** The `payload` of an `upto` EVM payment. */
export type UptoPermit2Payload = z.infer<typeof uptoPermit2PayloadSchema>
