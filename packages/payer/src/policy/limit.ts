import { parseMoney, toCaip2 } from '@tollgate/core'
import { InvalidPolicyError } from '../errors/policy.js'

/** The asset a limit in atomic units is counted in: an `@tollgate/evm` `Asset` fits. */
export type LimitAsset = {
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`). */
  readonly network: string
  readonly address: string
}

/**
 * An amount of money in a policy, one rule everywhere:
 * - a string is whole units of the asset paid: `'$0.01'`, `'0.01'`, `'1'` (one whole token),
 *   converted exactly with that asset's decimals, so it compares amounts of any asset;
 * - atomic units only with their asset: `{ amount: 10_000n, asset: usdc }`, which then applies to
 *   payments in that asset only (a payment in another asset is refused by it).
 * A bare `bigint` (or a number) is refused: its meaning would depend on the asset a server asks for.
 */
export type Limit = string | { readonly amount: bigint; readonly asset: LimitAsset }

/** A limit parsed once, when the policy is created, so a malformed one fails early. */
export type ResolvedLimit =
  | {
      readonly kind: 'atomic'
      readonly value: bigint
      /** CAIP-2. */
      readonly network: string
      /** Lower case. */
      readonly asset: string
    }
  | { readonly kind: 'units'; readonly value: bigint; readonly text: string }

/** The payment a limit is compared with: its asset and, when known, that asset's decimals. */
export type Priced = {
  /** CAIP-2, `undefined` for a network nobody knows. */
  readonly network: string | undefined
  /** Lower case. */
  readonly asset: string
  readonly decimals: number | undefined
}

/**
 * Whole-unit limits are kept with this many decimals: enough for every stablecoin (6 or 18), so
 * an amount of any such asset converts to it exactly, without a float.
 */
export const unitScale = 18

/**
 * Parses a limit given for `option` (`maxPerRequest`, `budgets[0].limit`); a malformed one throws
 * `InvalidPolicyError` naming the option.
 */
export function resolveLimit(limit: unknown, option: string): ResolvedLimit {
  const invalid = (reason: string, cause?: unknown) =>
    new InvalidPolicyError({ option, reason, cause })
  if (typeof limit === 'string') {
    try {
      return { kind: 'units', value: parseMoney(limit, { decimals: unitScale }), text: limit }
    } catch (cause) {
      throw invalid(
        `"${limit.slice(0, 40)}" is not an amount of whole units such as '$0.01'`,
        cause,
      )
    }
  }
  if (typeof limit === 'bigint' || typeof limit === 'number')
    throw invalid(
      `a bare ${typeof limit} says atomic units of no asset in particular: write whole units ('$0.01') or { amount, asset }`,
    )
  const { amount, asset } = (limit ?? {}) as { amount?: unknown; asset?: Partial<LimitAsset> }
  if (typeof amount !== 'bigint' || amount < 0n)
    throw invalid('expected whole units (a string) or { amount: <bigint atomic units>, asset }')
  if (typeof asset?.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(asset.address))
    throw invalid('an atomic amount needs its asset: { network, address }')
  let network: string
  try {
    network = toCaip2(String(asset.network))
  } catch (cause) {
    throw invalid(`the asset's network "${String(asset.network)}" is unknown`, cause)
  }
  return { kind: 'atomic', value: amount, network, asset: asset.address.toLowerCase() }
}

/**
 * Why a payment cannot be compared with a limit, or `undefined` when it can: an atomic limit only
 * compares payments in its own asset, a whole-unit one needs the asset's decimals.
 */
export function incomparable(limit: ResolvedLimit, payment: Priced): string | undefined {
  if (limit.kind === 'atomic')
    return limit.network === payment.network && limit.asset === payment.asset
      ? undefined
      : `it is in atomic units of ${limit.asset} on ${limit.network}, not of ${payment.asset}`
  return payment.decimals === undefined
    ? `it is in whole units and the decimals of asset ${payment.asset} are unknown`
    : undefined
}

/**
 * The largest atomic amount of the payment's asset that stays within the limit (rounding down, so
 * a cap never lets through a fraction of a unit more than it says); `undefined` when the two
 * cannot be compared (see `incomparable`).
 */
export function limitInAtomicUnits(limit: ResolvedLimit, payment: Priced): bigint | undefined {
  if (incomparable(limit, payment) !== undefined) return undefined
  if (limit.kind === 'atomic') return limit.value
  return scaledToAtomic(limit.value, payment.decimals)
}

/**
 * What a payment of `amount` atomic units costs against `limit`, in the limit's unit: the amount
 * itself for an atomic limit, or the amount at the finest scale for a whole-unit one (rounded up
 * past 18 decimals). `undefined` when the two cannot be compared.
 */
export function costAgainst(
  limit: ResolvedLimit,
  amount: bigint,
  payment: Priced,
): bigint | undefined {
  if (incomparable(limit, payment) !== undefined) return undefined
  if (limit.kind === 'atomic') return amount
  const decimals = payment.decimals!
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
