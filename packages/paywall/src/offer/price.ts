import { type PaymentRequirements, type Price, parseAtomicAmount, parseMoney } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { isAddress } from 'viem'
import { InvalidPriceError, PriceResolutionError } from '../errors.js'
import { findAsset } from './assets.js'
import type { ResolvedOffer, ResolvedOption } from './resolveOffer.js'

/**
 * Builds one v2 requirement from a resolved option and a price value (see `OfferPrice` for what an
 * amount means); throws `InvalidPriceError`, or core's `InvalidMoneyError` for a malformed amount.
 */
export function buildRequirement(
  option: ResolvedOption<never> | ResolvedOption<unknown>,
  price: Price | bigint,
  registry: readonly Asset[] | undefined,
): PaymentRequirements {
  const { amount, assetAddress, asset, priceExtra } = readAmount(option, price, registry)
  if (amount <= 0n) throw new InvalidPriceError({ reason: 'the price must be more than zero' })
  // Permit2 is the only way `upto` pays, and the way a token the registry marks `permit2` pays:
  // the reference client reads `assetTransferMethod` to choose.
  const permit2 = option.scheme === 'upto' || asset?.assetTransferMethod === 'permit2'
  const extra: Record<string, unknown> = {
    ...(asset ? { name: asset.eip712.name, version: asset.eip712.version } : {}),
    ...(permit2 ? { assetTransferMethod: 'permit2' } : {}),
    ...option.extra,
    ...priceExtra,
  }
  if (typeof extra.name !== 'string' || typeof extra.version !== 'string')
    throw new InvalidPriceError({
      reason: `the EIP-712 domain of asset ${assetAddress} on ${option.network} is unknown: pass it in \`assets\` or set \`extra: { name, version }\``,
    })
  return {
    scheme: option.scheme,
    network: option.network,
    amount: amount.toString(),
    asset: assetAddress,
    payTo: option.payTo,
    maxTimeoutSeconds: option.maxTimeoutSeconds,
    extra,
  }
}

/** The atomic amount and the asset of a price: whole units for a string or number, else atomic. */
function readAmount(
  option: ResolvedOption<never> | ResolvedOption<unknown>,
  price: Price | bigint,
  registry: readonly Asset[] | undefined,
): {
  amount: bigint
  assetAddress: string
  asset: Asset | undefined
  priceExtra?: Record<string, unknown> | undefined
} {
  if (typeof price === 'object' && price !== null && typeof price !== 'bigint') {
    if (!isAddress(price.asset, { strict: false }))
      throw new InvalidPriceError({ reason: `price asset "${price.asset}" is not an address` })
    return {
      amount: parseAtomicAmount(price.amount),
      assetAddress: price.asset,
      asset: findAsset(option.network, price.asset, registry),
      priceExtra: price.extra,
    }
  }
  const asset = option.asset
  const assetAddress = option.explicitAsset ?? asset?.address
  if (assetAddress === undefined)
    throw new InvalidPriceError({
      reason: `no default asset for ${option.network}: set \`asset\` or pass the token in \`assets\``,
    })
  if (typeof price === 'bigint') return { amount: parseAtomicAmount(price), assetAddress, asset }
  if (!asset)
    throw new InvalidPriceError({
      reason: `the decimals of asset ${assetAddress} on ${option.network} are unknown, so "${String(price)}" (whole units) cannot be converted: pass the token in \`assets\`, or give atomic units as a bigint or { amount, asset }`,
    })
  return { amount: parseMoney(price, { decimals: asset.decimals }), assetAddress, asset }
}

/** The offer's requirements for one call (calling price functions); throws `PriceResolutionError`. */
export async function priceOffer<request>(
  route: ResolvedOffer<request>,
  request: request,
  registry: readonly Asset[] | undefined,
): Promise<PaymentRequirements[]> {
  return Promise.all(
    route.options.map(async (option) => {
      if (option.requirements) return option.requirements
      try {
        const price = await (option.price as (r: request) => Price | bigint)(request)
        return buildRequirement(option, price, registry)
      } catch (error) {
        throw new PriceResolutionError({
          route: route.key,
          reason: describePriceError(error),
          cause: error,
        })
      }
    }),
  )
}

/** The one line of an error thrown while pricing, for the error that names the offer. */
export function describePriceError(error: unknown): string {
  if (error && typeof error === 'object') {
    const short = (error as { shortMessage?: unknown }).shortMessage
    if (typeof short === 'string') return short
    if (error instanceof Error) return error.message
  }
  return String(error)
}
