import {
  type PaymentRequirements,
  type Price,
  type SettlementMode,
  settlementModes,
  toCaip2,
} from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { isAddress } from 'viem'
import { RouteConfigurationError } from '../errors.js'
import { findAsset, findDefaultAsset } from './assets.js'
import { buildRequirement, describePriceError } from './price.js'

/**
 * What an offer charges, by one rule: a string or a number is WHOLE units of the option's asset
 * (default: the network's USDC), `'$0.01'`, `'0.01'`, `'1'` (one token), `0.25`, whether or not
 * the option names its `asset`; atomic units only as a `bigint` (of the option's asset) or as
 * `{ amount, asset, extra? }` (of that asset). Or a function of the call's request (the HTTP
 * request view, the tool call) returning one of those.
 */
export type OfferPrice<request = unknown> =
  | Price
  | bigint
  | ((request: request) => Price | bigint | Promise<Price | bigint>)

/** One way to pay for an offer: a network, an asset, a payee and a price. */
export type PaymentOption<request = unknown> = {
  price: OfferPrice<request>
  /** The payee address. */
  payTo: string
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base-sepolia`). */
  network: string
  /** The token contract. @default the network's USDC, from the asset registry */
  asset?: string | undefined
  /**
   * `exact` charges the price; `upto` takes the price as the most a call may cost and charges what
   * the work reports it used (the HTTP layer reads it from the handler's `Settlement-Overrides`
   * response header, which `setSettlementOverrides` sets). `upto` pays through Permit2 and runs
   * the work first (`order: 'serve-first'`). @default 'exact'
   */
  scheme?: 'exact' | 'upto' | undefined
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
 * What is sold (an HTTP route, a tool): its price and how it settles. The payment fields at the top
 * level describe one option; `accepts` lists several, each inheriting the top-level fields it does
 * not set.
 */
export type OfferConfig<request = unknown> = Partial<PaymentOption<request>> & {
  accepts?: readonly Partial<PaymentOption<request>>[] | undefined
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
  /** Overrides the resource URL advertised in the challenge (default: the call's, e.g. the request URL). */
  resource?: string | undefined
}

/** Offers by key: `{ "GET /report": { price: '$0.01', payTo, network } }`, or by tool name. */
export type Offers<request = unknown> = Readonly<Record<string, OfferConfig<request>>>

/** A payment option checked and resolved once, when the paywall is created. */
export type ResolvedOption<request = unknown> = {
  scheme: 'exact' | 'upto'
  network: string
  payTo: string
  maxTimeoutSeconds: number
  /** The asset address the option names, if it names one. */
  explicitAsset: string | undefined
  /** The registry entry of the option's asset, when there is one. */
  asset: Asset | undefined
  extra: Record<string, unknown> | undefined
  price: OfferPrice<request>
  /** Built once when the price does not depend on the request. */
  requirements: PaymentRequirements | undefined
}

/** An offer checked and resolved once. */
export type ResolvedOffer<request = unknown> = {
  /** The key it was declared under (`"GET /report"`, a tool name). */
  key: string
  options: readonly ResolvedOption<request>[]
  description: string
  mimeType: string
  outputSchema: Record<string, unknown> | undefined
  /** `undefined`: the facilitator's default. */
  settlement: SettlementMode | undefined
  order: SettlementOrder
  resource: string | undefined
}

const defaultMaxTimeoutSeconds = 300

/** Checks an offer and resolves each option's network and asset; throws `RouteConfigurationError`. */
export function resolveOffer<request>(
  key: string,
  config: OfferConfig<request>,
  { assets }: { assets?: readonly Asset[] | undefined } = {},
): ResolvedOffer<request> {
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
  if (order === 'settle-first' && options.some((option) => option.scheme === 'upto'))
    throw fail('an `upto` option charges what the work used, so it needs `order: "serve-first"`')
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

function resolveOption<request>(
  where: string,
  option: Partial<PaymentOption<request>>,
  registry: readonly Asset[] | undefined,
): ResolvedOption<request> {
  const { price, payTo, network: rawNetwork, asset: explicitAsset, scheme = 'exact' } = option
  const fail = (reason: string, cause?: unknown) =>
    new RouteConfigurationError({ route: where, reason, cause })
  if (price === undefined) throw fail('`price` is missing')
  if (payTo === undefined) throw fail('`payTo` is missing')
  if (rawNetwork === undefined) throw fail('`network` is missing')
  if (scheme !== 'exact' && scheme !== 'upto')
    throw fail(`scheme "${String(scheme)}" is not supported`)
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
  const resolved: ResolvedOption<request> = {
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
      throw fail(describePriceError(error), error)
    }
  }
  return resolved
}
