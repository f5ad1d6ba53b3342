import {
  type PaymentRequired,
  type PaymentRequiredV1,
  paymentRequiredSchema,
  paymentRequiredV1Schema,
} from '@tollgate/core'
import type { Challenge } from '@tollgate/payer'

/**
 * Reads an x402 challenge carried as a JSON value (a tool result's `structuredContent`, its text
 * parsed, a JSON-RPC error's `data`): `undefined` when the value does not claim to be one (no
 * `x402Version` and `accepts`), the challenge when it parses, and a thrown zod error when it
 * claims to be one and does not.
 */
export function readChallengeValue(value: unknown): Challenge | undefined {
  if (!claimsChallenge(value)) return undefined
  if (value.x402Version === 1) {
    const paymentRequired: PaymentRequiredV1 = paymentRequiredV1Schema.parse(value)
    return { x402Version: 1, paymentRequired }
  }
  const paymentRequired: PaymentRequired = paymentRequiredSchema.parse(value)
  return { x402Version: 2, paymentRequired }
}

/** A value that says it is a challenge: an object with `x402Version` and `accepts`. */
export function claimsChallenge(
  value: unknown,
): value is { x402Version: unknown; accepts: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'x402Version' in value &&
    'accepts' in value
  )
}
