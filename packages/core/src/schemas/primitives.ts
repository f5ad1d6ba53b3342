import { z } from 'zod'

const maxUint256 = 2n ** 256n - 1n

/** A non-empty string. */
export const nonEmptyStringSchema = z.string().min(1)

/**
 * A uint256 as a decimal digit string (atomic units, timestamps). Checked without a regex
 * and without `BigInt` on oversized input.
 */
export const uint256StringSchema = z.string().refine(isUint256String, {
  message: 'Expected a decimal integer string in the uint256 range',
})

/** A JSON object with any keys (scheme payloads, `extra`). */
export const recordSchema = z.record(z.string(), z.unknown())

/** A 20-byte hex address (`0x` + 40 hex digits, any case). */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'Expected a 0x-prefixed address')

/** Whether `value` is a digit string whose value fits in a uint256. */
export function isUint256String(value: string): boolean {
  const length = value.length
  if (length === 0) return false
  let start = 0
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i)
    if (code < 48 || code > 57) return false
    if (code === 48 && start === i && i < length - 1) start++
  }
  // 2^256 - 1 has 78 digits; skip leading zeros before comparing.
  const significant = length - start
  if (significant < 78) return true
  if (significant > 78) return false
  return BigInt(value) <= maxUint256
}
