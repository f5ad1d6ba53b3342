import { z } from 'zod'
import { addressSchema, uint256StringSchema } from './primitives.js'

// Plain (stripping) objects, unlike the envelope schemas: nothing matches this payload by deep
// equality, and an exact type ({ from, to, ... } without an index signature) is what viem and
// the verifier want. The PaymentPayload that carries it keeps every key.

/** The EIP-3009 authorization of an exact EVM payment (numbers as decimal strings). */
export const exactEvmAuthorizationSchema = z.object({
  from: addressSchema,
  to: addressSchema,
  value: uint256StringSchema,
  validAfter: uint256StringSchema,
  validBefore: uint256StringSchema,
  nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'Expected 0x + 64 hex digits'),
})
/** The EIP-3009 authorization of an exact EVM payment. */
export type ExactEvmAuthorization = z.infer<typeof exactEvmAuthorizationSchema>

/** The `payload` of an exact EVM (EIP-3009) payment: a signature and its authorization. */
export const exactEvmPayloadSchema = z.object({
  signature: z.string().regex(/^0x(?:[0-9a-fA-F]{2})+$/, 'Expected 0x-prefixed hex bytes'),
  authorization: exactEvmAuthorizationSchema,
})
/** The `payload` of an exact EVM (EIP-3009) payment. */
export type ExactEvmPayload = z.infer<typeof exactEvmPayloadSchema>
