import { parseMoney } from '@tollgate/core'

/**
 * An amount of money in a policy: a `bigint` is atomic units of whatever asset is paid (`10_000n` is
 * 0.01 USDC), a string is whole units of the asset (`'$0.01'`, `'0.01'`), turned into atomic units
 * with the asset's decimals from the registry.
 */
export type Limit = bigint | string

/** A limit parsed once, when the policy is created, so a malformed one fails early. */
export type ResolvedLimit =
  | { readonly kind: 'atomic'; readonly value: bigint }
  | { readonly kind: 'units'; readonly value: bigint; readonly text: string }

/**
 * Whole-unit limits are kept with this many decimals: enough for every stablecoin (6 or 18), so
 * an amount of any such asset converts to it exactly, without a float.
 */
export const unitScale = 18

/** Parses a limit; whole-unit strings are validated now, against the finest scale. */
export function resolveLimit(limit: Limit): ResolvedLimit {
  if (typeof limit === 'bigint')
    return { kind: 'atomic', value: parseMoney(limit, { decimals: 0 }) }
  return { kind: 'units', value: parseMoney(limit, { decimals: unitScale }), text: limit }
}

/**
 * The largest atomic amount of an asset with `decimals` that stays within the limit (rounding
 * down, so a cap never lets through a fraction of a unit more than it says).
 * `undefined` when the limit is in whole units and the asset's decimals are unknown.
 */
export function limitInAtomicUnits(
  limit: ResolvedLimit,
  decimals: number | undefined,
): bigint | undefined {
  if (limit.kind === 'atomic') return limit.value
  return scaledToAtomic(limit.value, decimals)
}

/**
 * What a payment of `amount` atomic units costs against `limit`: the amount itself for an atomic
 * limit, or the amount at the finest scale for a whole-unit one (rounded up past 18 decimals).
 * `undefined` when the limit is in whole units and the asset's decimals are unknown.
 */
export function costAgainst(
  limit: ResolvedLimit,
  amount: bigint,
  decimals: number | undefined,
): bigint | undefined {
  if (limit.kind === 'atomic') return amount
  if (decimals === undefined) return undefined
  if (decimals <= unitScale) return amount * 10n ** BigInt(unitScale - decimals)
  const divisor = 10n ** BigInt(decimals - unitScale)
  return (amount + divisor - 1n) / divisor
}

/** From whole units at the finest scale back to an asset's atomic units (rounded down). */
export function scaledToAtomic(value: bigint, decimals: number | undefined): bigint | undefined {
  if (decimals === undefined) return undefined
  if (decimals <= unitScale) return value / 10n ** BigInt(unitScale - decimals)
  return value * 10n ** BigInt(decimals - unitScale)
}
