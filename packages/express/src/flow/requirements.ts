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
import { PriceResolutionError, RouteConfigurationError } from '../errors.js'
import type { PaywallRequest } from './request.js'

/**
 * What a route charges: `"$0.01"` or a number (token units of the asset, default USDC of the
 * network); a digit string (`"10000"`) or a `bigint` (atomic units) when the option names its
 * `asset`; `{ amount, asset, extra? }` (atomic units of that asset); or a function of the request
 * returning one of those.
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
 * When the facilitator's settle call answers (core's `SettlementMode`): after the transfer's
 * receipt (`confirmed`), once it is broadcast (`submitted`), or once it is durably queued
 * (`queued`, a Tollgate facilitator only; `createLocalFacilitator` treats it as `submitted`).
 */
export type { SettlementMode }

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
   * When the facilitator answers the settle call; unset, the facilitator's own default applies
   * (the reference and `createLocalFacilitator`: `confirmed`).
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
  /** Set when the option names its asset (atomic digit strings are then allowed). */
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
  if (accepts && accepts.length === 0 && base.price === undefined)
    throw new RouteConfigurationError(key, '`accepts` is empty: a priced route needs an option')
  if (settlement !== undefined && !settlementModes.includes(settlement))
    throw new RouteConfigurationError(key, `unknown settlement mode "${String(settlement)}"`)
  if (order !== undefined && !settlementOrders.includes(order))
    throw new RouteConfigurationError(key, `unknown settlement order "${String(order)}"`)
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
  if (price === undefined) throw new RouteConfigurationError(where, '`price` is missing')
  if (payTo === undefined) throw new RouteConfigurationError(where, '`payTo` is missing')
  if (rawNetwork === undefined) throw new RouteConfigurationError(where, '`network` is missing')
  if (scheme !== 'exact')
    throw new RouteConfigurationError(where, `scheme "${String(scheme)}" is not supported`)
  if (!isAddress(payTo, { strict: false }))
    throw new RouteConfigurationError(where, `\`payTo\` "${payTo}" is not an address`)
  if (explicitAsset !== undefined && !isAddress(explicitAsset, { strict: false }))
    throw new RouteConfigurationError(where, `\`asset\` "${explicitAsset}" is not an address`)
  let network: string
  try {
    network = toCaip2(rawNetwork)
  } catch (error) {
    throw new RouteConfigurationError(where, `unknown network "${rawNetwork}"`, { cause: error })
  }
  if (!network.startsWith('eip155:'))
    throw new RouteConfigurationError(where, `network "${rawNetwork}" is not an EVM network`)
  const maxTimeoutSeconds = option.maxTimeoutSeconds ?? defaultMaxTimeoutSeconds
  if (!Number.isSafeInteger(maxTimeoutSeconds) || maxTimeoutSeconds <= 0)
    throw new RouteConfigurationError(where, '`maxTimeoutSeconds` must be a positive integer')
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
      throw new RouteConfigurationError(where, describe(error), { cause: error })
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

/** Builds one v2 requirement from a resolved option and a price value. */
export function buildRequirement(
  option: ResolvedOption<never> | ResolvedOption<unknown>,
  price: Price | bigint,
  registry: readonly Asset[] | undefined,
): PaymentRequirements {
  let amount: bigint
  let assetAddress: string
  let asset: Asset | undefined
  let priceExtra: Record<string, unknown> | undefined
  if (typeof price === 'object' && price !== null && typeof price !== 'bigint') {
    if (!isAddress(price.asset, { strict: false }))
      throw new Error(`price asset "${price.asset}" is not an address`)
    amount = parseAtomicAmount(price.amount)
    assetAddress = price.asset
    asset = findAsset(option.network, price.asset, registry)
    priceExtra = price.extra
  } else {
    asset = option.asset
    const address = option.explicitAsset ?? asset?.address
    if (address === undefined)
      throw new Error(
        `no default asset for ${option.network}: set \`asset\` or pass the token in \`assets\``,
      )
    assetAddress = address
    if (typeof price === 'bigint') amount = parseAtomicAmount(price)
    else if (typeof price === 'string' && option.explicitAsset !== undefined && /^\d+$/.test(price))
      amount = parseAtomicAmount(price)
    else {
      if (!asset)
        throw new Error(
          `the decimals of asset ${assetAddress} on ${option.network} are unknown: pass it in \`assets\` or give an atomic amount`,
        )
      amount = parseMoney(price, { decimals: asset.decimals })
    }
  }
  if (amount <= 0n) throw new Error('the price must be more than zero')
  const extra: Record<string, unknown> = {
    ...(asset ? { name: asset.eip712.name, version: asset.eip712.version } : {}),
    ...option.extra,
    ...priceExtra,
  }
  if (typeof extra.name !== 'string' || typeof extra.version !== 'string')
    throw new Error(
      `the EIP-712 domain of asset ${assetAddress} on ${option.network} is unknown: pass it in \`assets\` or set \`extra: { name, version }\``,
    )
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
        throw new PriceResolutionError(route.key, describe(error), { cause: error })
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
