import {
  type PaymentRequirements,
  type PaymentRequirementsV1,
  type Price,
  parseAtomicAmount,
  parseMoney,
  type ResourceInfo,
  requirementsToV1,
  type SettlementMode,
  settlementModes,
  toCaip2,
} from '@tollgate/core'
import { type Asset, getAsset, getDefaultAsset } from '@tollgate/evm'
import { isAddress } from 'viem'
import { InvalidPriceError, PriceResolutionError, RouteConfigurationError } from '../errors.js'
import type { PaywallRequest } from './request.js'

/**
 * What a route charges, by one rule: a string or a number is WHOLE units of the option's asset
 * (default: the network's USDC), `'$0.01'`, `'0.01'`, `'1'` (one token), `0.25`, whether or not
 * the option names its `asset`; atomic units only as a `bigint` (of the option's asset) or as
 * `{ amount, asset, extra? }` (of that asset). Or a function of the request returning one of those.
 */
export type RoutePrice<raw = unknown> =
  | Price
  | bigint
  | ((request: PaywallRequest<raw>) => Price | bigint | Promise<Price | bigint>)

/** One way to pay for a route: a network, an asset, a payee and a price. */
export type PaymentOption<raw = unknown> = {
  price: RoutePrice<raw>
  /** The payee address. */
  payTo: string
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base-sepolia`). */
  network: string
  /** The token contract. @default the network's USDC, from the asset registry */
  asset?: string | undefined
  /** @default 'exact' */
  scheme?: 'exact' | undefined
  /** How long a signed authorization stays valid. @default 300 */
  maxTimeoutSeconds?: number | undefined
  /** Merged over the registry's EIP-712 `{ name, version }` into `requirements.extra`. */
  extra?: Record<string, unknown> | undefined
}

/**
 * Whether the handler runs before the payment settles (`serve-first`: its response is held back
 * until the transfer settles, and a failed handler charges nothing) or after (`settle-first`: the
 * handler runs only for a settled payment, and a failed handler keeps the payment).
 */
export type SettlementOrder = 'serve-first' | 'settle-first'

const settlementOrders: readonly string[] = ['serve-first', 'settle-first']

/**
 * A priced route. The payment fields at the top level describe one option; `accepts` lists several,
 * each inheriting the top-level fields it does not set.
 */
export type RouteConfig<raw = unknown> = Partial<PaymentOption<raw>> & {
  accepts?: readonly Partial<PaymentOption<raw>>[] | undefined
  description?: string | undefined
  mimeType?: string | undefined
  /** JSON Schema of the response, advertised to v1 clients (`outputSchema`). */
  outputSchema?: Record<string, unknown> | undefined
  /**
   * When the facilitator answers the settle call, so when the response goes out. It holds or the
   * route is refused: checked against the facilitator's `/supported` before the route's first
   * payment (and by the paywall's `ready()`); a facilitator that cannot give it answers 500
   * `settlement_mode_unsupported`, charging nothing, except that a stronger mode it honours is
   * used instead (`confirmed` for a `submitted` route on the reference, with a warning). Unset,
   * the facilitator's own default applies (the reference and `createLocalFacilitator`:
   * `confirmed`; `@tollgate/facilitator`: its `mode`).
   */
  settlement?: SettlementMode | undefined
  /** Run the handler before settling (held back) or after. @default 'serve-first' */
  order?: SettlementOrder | undefined
  /** Overrides the resource URL advertised in the challenge (default: the request's URL). */
  resource?: string | undefined
}

/** `{ "GET /report": { price: '$0.01', payTo, network } }`: method (optional) and path pattern. */
export type Routes<raw = unknown> = Readonly<Record<string, RouteConfig<raw>>>

/** A payment option checked and resolved once, when the paywall is created. */
export type ResolvedOption<raw = unknown> = {
  scheme: 'exact'
  network: string
  payTo: string
  maxTimeoutSeconds: number
  /** The asset address the option names, if it names one. */
  explicitAsset: string | undefined
  /** The registry entry of the option's asset, when there is one. */
  asset: Asset | undefined
  extra: Record<string, unknown> | undefined
  price: RoutePrice<raw>
  /** Built once when the price does not depend on the request. */
  requirements: PaymentRequirements | undefined
}

/** A route checked and resolved once. */
export type ResolvedRoute<raw = unknown> = {
  key: string
  options: readonly ResolvedOption<raw>[]
  description: string
  mimeType: string
  outputSchema: Record<string, unknown> | undefined
  /** `undefined`: the facilitator's default. */
  settlement: SettlementMode | undefined
  order: SettlementOrder
  resource: string | undefined
}

const defaultMaxTimeoutSeconds = 300

/** Looks a token up in the caller's registry first, then the built-in one. */
export function findAsset(
  network: string,
  address: string,
  registry: readonly Asset[] | undefined,
): Asset | undefined {
  return (
    (registry ? getAsset({ network, address, assets: registry }) : undefined) ??
    getAsset({ network, address })
  )
}

/** The network's default token (USDC), from the caller's registry first. */
function findDefaultAsset(network: string, registry: readonly Asset[] | undefined) {
  return (
    (registry ? getDefaultAsset(network, { assets: registry }) : undefined) ??
    getDefaultAsset(network)
  )
}

/** Checks a route and resolves each option's network and asset; throws `RouteConfigurationError`. */
export function resolveRoute<raw>(
  key: string,
  config: RouteConfig<raw>,
  { assets }: { assets?: readonly Asset[] | undefined } = {},
): ResolvedRoute<raw> {
  const { accepts, description, mimeType, outputSchema, settlement, order, resource, ...base } =
    config
  const entries = accepts && accepts.length > 0 ? accepts : [{}]
  const fail = (reason: string) => new RouteConfigurationError({ route: key, reason })
  if (accepts && accepts.length === 0 && base.price === undefined)
    throw fail('`accepts` is empty: a priced route needs an option')
  if (settlement !== undefined && !settlementModes.includes(settlement))
    throw fail(`unknown settlement mode "${String(settlement)}"`)
  if (order !== undefined && !settlementOrders.includes(order))
    throw fail(`unknown settlement order "${String(order)}"`)
  const options = entries.map((entry, index) =>
    resolveOption(accepts ? `${key} accepts[${index}]` : key, { ...base, ...entry }, assets),
  )
  return {
    key,
    options,
    description: description ?? '',
    mimeType: mimeType ?? '',
    outputSchema,
    settlement,
    order: order ?? 'serve-first',
    resource,
  }
}

function resolveOption<raw>(
  where: string,
  option: Partial<PaymentOption<raw>>,
  registry: readonly Asset[] | undefined,
): ResolvedOption<raw> {
  const { price, payTo, network: rawNetwork, asset: explicitAsset, scheme = 'exact' } = option
  const fail = (reason: string, cause?: unknown) =>
    new RouteConfigurationError({ route: where, reason, cause })
  if (price === undefined) throw fail('`price` is missing')
  if (payTo === undefined) throw fail('`payTo` is missing')
  if (rawNetwork === undefined) throw fail('`network` is missing')
  if (scheme !== 'exact') throw fail(`scheme "${String(scheme)}" is not supported`)
  if (!isAddress(payTo, { strict: false })) throw fail(`\`payTo\` "${payTo}" is not an address`)
  if (explicitAsset !== undefined && !isAddress(explicitAsset, { strict: false }))
    throw fail(`\`asset\` "${explicitAsset}" is not an address`)
  let network: string
  try {
    network = toCaip2(rawNetwork)
  } catch (error) {
    throw fail(`unknown network "${rawNetwork}"`, error)
  }
  if (!network.startsWith('eip155:')) throw fail(`network "${rawNetwork}" is not an EVM network`)
  const maxTimeoutSeconds = option.maxTimeoutSeconds ?? defaultMaxTimeoutSeconds
  if (!Number.isSafeInteger(maxTimeoutSeconds) || maxTimeoutSeconds <= 0)
    throw fail('`maxTimeoutSeconds` must be a positive integer')
  const asset =
    explicitAsset !== undefined
      ? findAsset(network, explicitAsset, registry)
      : findDefaultAsset(network, registry)
  const resolved: ResolvedOption<raw> = {
    scheme,
    network,
    payTo,
    maxTimeoutSeconds,
    explicitAsset,
    asset,
    extra: option.extra,
    price,
    requirements: undefined,
  }
  // A static price is checked (and its requirements built) now, so a typo fails at start-up.
  if (typeof price !== 'function') {
    try {
      resolved.requirements = buildRequirement(resolved, price, registry)
    } catch (error) {
      throw fail(describe(error), error)
    }
  }
  return resolved
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const short = (error as { shortMessage?: unknown }).shortMessage
    if (typeof short === 'string') return short
    if (error instanceof Error) return error.message
  }
  return String(error)
}

/**
 * Builds one v2 requirement from a resolved option and a price value (see `RoutePrice` for what an
 * amount means); throws `InvalidPriceError`, or core's `InvalidMoneyError` for a malformed amount.
 */
export function buildRequirement(
  option: ResolvedOption<never> | ResolvedOption<unknown>,
  price: Price | bigint,
  registry: readonly Asset[] | undefined,
): PaymentRequirements {
  const { amount, assetAddress, asset, priceExtra } = readAmount(option, price, registry)
  if (amount <= 0n) throw new InvalidPriceError({ reason: 'the price must be more than zero' })
  const extra: Record<string, unknown> = {
    ...(asset ? { name: asset.eip712.name, version: asset.eip712.version } : {}),
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

/** The route's requirements for one request (calling price functions); throws `PriceResolutionError`. */
export async function getRequirements<raw>(
  route: ResolvedRoute<raw>,
  request: PaywallRequest<raw>,
  registry: readonly Asset[] | undefined,
): Promise<PaymentRequirements[]> {
  return Promise.all(
    route.options.map(async (option) => {
      if (option.requirements) return option.requirements
      try {
        const price = await (option.price as (r: PaywallRequest<raw>) => Price | bigint)(request)
        return buildRequirement(option, price, registry)
      } catch (error) {
        throw new PriceResolutionError({ route: route.key, reason: describe(error), cause: error })
      }
    }),
  )
}

/** The `resource` of the challenge. */
export function getResource(
  route: ResolvedRoute<never> | ResolvedRoute<unknown>,
  url: string,
): ResourceInfo {
  return { url: route.resource ?? url, description: route.description, mimeType: route.mimeType }
}

/**
 * The v1 form of a requirement, for legacy clients: `maxAmountRequired`, the v1 network name
 * (or the CAIP-2 id on a chain v1 has no name for), the resource fields per requirement, and the
 * route's `outputSchema`.
 */
export function toV1Requirement(
  requirement: PaymentRequirements,
  resource: ResourceInfo,
  outputSchema: Record<string, unknown> | undefined,
): PaymentRequirementsV1 {
  const converted = requirementsToV1(requirement, resource)
  return outputSchema ? { ...converted, outputSchema } : converted
}
