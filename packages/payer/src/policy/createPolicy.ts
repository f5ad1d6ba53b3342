import type { InvalidPolicyError } from '../errors/policy.js'
import type { BudgetParameters, BudgetUsage, Reservation } from './budget.js'
import { createBudgetLedger } from './budget.js'
import type { Candidate, Challenge } from './candidate.js'
import { decide } from './decidePayment.js'
import { assetRuleOf } from './guards.js'
import type { NamedAgent, VerifyPayee } from './identity.js'
import type { Limit } from './limit.js'
import type { PolicyEngine, PolicyState } from './policyState.js'
import { preparePayment } from './preparePayment.js'
import type { PriceList } from './prices.js'
import { resolvePriceList } from './prices.js'
import { resolveLifetime, resolvePolicy } from './resolvePolicy.js'
import type { ResourceBinding } from './resource.js'
import { createRouteMemory } from './routes.js'

/** An asset the agent agrees to pay with. */
export type AssetRule = {
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`). */
  network: string
  address: string
  /** Needed for caps and budgets in whole units when the asset is not in the registry. */
  decimals?: number | undefined
  /**
   * The token's EIP-712 domain, for an asset the registry does not know (or to override it).
   * @default the registry's; for an asset outside it, whatever the server names
   */
  eip712?: { name: string; version: string } | undefined
}

/** Payees (`payTo`) the agent pays (`allow`, when given) or never pays (`deny`). */
export type PayeeRule = {
  allow?: readonly string[] | undefined
  deny?: readonly string[] | undefined
}

/** What a custom selector sees besides the candidates. */
export type SelectContext = {
  readonly url: URL
  readonly method: string
  readonly challenge: Challenge
}

/**
 * Picks one of the acceptable candidates (sorted cheapest first), or `undefined` to pay none. It
 * runs synchronously between the budget check and the reservation.
 */
export type Selector = (
  acceptable: readonly Candidate[],
  context: SelectContext,
) => Candidate | undefined

/** What an `expectPrice` callback is asked. */
export type ExpectPriceContext = {
  /** The URL that answered the 402. */
  readonly url: URL
  readonly method: string
  readonly challenge: Challenge
  /** The ERC-8004 agent the 402 names, if any (its registration file may list prices). */
  readonly agent: NamedAgent | undefined
}

/**
 * The most the agent expects to pay for this request (whole units such as `'$0.01'`, or atomic
 * units with their asset, `{ amount, asset }`), or `undefined` when it has no expectation. A
 * rejection, or a malformed answer, refuses the payment.
 */
export type ExpectPrice = (
  context: ExpectPriceContext,
) => Limit | undefined | Promise<Limit | undefined>

export type PolicyParameters = {
  /**
   * Pay plain-`http` URLs on hosts that are not loopback. A payment header sent over `http` can be
   * read and replayed on the way, and the 402 it answers rewritten; loopback (`127.0.0.0/8`,
   * `::1`, `localhost`) is always allowed.
   * @default false: only https (and loopback) is paid
   */
  allowHttp?: boolean | undefined
  /**
   * Networks the agent pays on (CAIP-2 or v1 names).
   * @default every EVM network
   */
  networks?: readonly string[] | undefined
  /**
   * Assets the agent pays with.
   * @default the assets of the registry (`@tollgate/evm` `assets` plus `wrapFetch`'s `assets`)
   */
  assets?: readonly AssetRule[] | undefined
  /**
   * The most one request may cost, in whole units of whichever asset is paid (`'$0.10'`) or in
   * atomic units of one asset (`{ amount, asset }`, which then refuses other assets); `null` for
   * no cap.
   * @default '$1'
   */
  maxPerRequest?: Limit | null | undefined
  /**
   * Allowances over time windows, in total, per host or per payee; a payment must fit all of them.
   * Given, they replace the default; `[]` for none.
   * @default [{ limit: '$5', scope: 'host', windowMs: 3_600_000 }, { limit: '$5', scope: 'payee', windowMs: 3_600_000 }]
   */
  budgets?: readonly BudgetParameters[] | undefined
  /** Payees the agent pays or never pays, everywhere and (`hosts`) per host. */
  payees?: (PayeeRule & { hosts?: Readonly<Record<string, PayeeRule>> | undefined }) | undefined
  /** The most the agent expects to pay, by host or route (see `PriceList`). */
  prices?: PriceList | undefined
  /**
   * The price the agent expects for a request, from anywhere (a registration file, a catalogue).
   * With `prices`, both apply.
   */
  expectPrice?: ExpectPrice | undefined
  /**
   * For a route without an explicit price: the lowest price paid for it within `windowMs` is the
   * expectation, and a challenge more than `maxIncreasePercent` above it is refused. `false` to
   * pay whatever the other rules allow.
   * @default { maxIncreasePercent: 100, windowMs: 86_400_000 }
   */
  learnPrices?:
    | { maxIncreasePercent?: number | undefined; windowMs?: number | undefined }
    | false
    | undefined
  /**
   * A route keeps the payee, network and asset of its first payment; `false` for one lets it change.
   * @default { payee: true, network: true, asset: true }
   */
  pin?:
    | { payee?: boolean | undefined; network?: boolean | undefined; asset?: boolean | undefined }
    | undefined
  /**
   * How the challenge's resource must match the URL that answered it.
   * @default 'path'
   */
  resourceBinding?: ResourceBinding | undefined
  /**
   * Origins (`https://pay.example.com`) a request may be redirected to and still pay there; `'*'`
   * for any. A redirect within the origin is always followed.
   * @default [] (a 402 from another origin is refused)
   */
  allowRedirectTo?: readonly string[] | '*' | undefined
  /**
   * The longest an authorization stays valid (`validBefore - now`), whatever `maxTimeoutSeconds`
   * the server asks for.
   * @default 300
   */
  maxAuthorizationSeconds?: number | undefined
  /**
   * At most `max` payments per route within `windowMs`, and at most `maxRefused` payments the
   * server answered with a 402 again; `null` for no limit.
   * @default { max: 60, windowMs: 60_000, maxRefused: 3 }
   */
  rateLimit?:
    | {
        max?: number | undefined
        windowMs?: number | undefined
        maxRefused?: number | undefined
      }
    | null
    | undefined
  /**
   * Called before signing when the 402 names an ERC-8004 agent: must resolve when `payTo` is the
   * agent's verified wallet (`@tollgate/identity`'s `checkPayee` fits) and reject otherwise.
   */
  verifyPayee?: VerifyPayee | undefined
  /**
   * Pay only servers that name an agent identity (and, with `verifyPayee`, whose payee it verifies).
   * @default false
   */
  requireIdentity?: boolean | undefined
  /** Chooses among the acceptable options instead of the cheapest. */
  select?: Selector | undefined
  /**
   * The clock, in milliseconds since the epoch: budgets, rate limits, learnt prices, and the
   * `validAfter`/`validBefore` of every authorization signed under this policy.
   * @default Date.now
   */
  now?: (() => number) | undefined
}

/**
 * A spending policy: its budgets and route memory are shared by every payer (every wrapped
 * fetch) it is given to.
 * Made by `createPolicy`.
 */
export type Policy = {
  readonly parameters: PolicyParameters
  /**
   * Reserves a payment already made whose outcome is not known here (rebuilt from a receipt log
   * after a restart), without checking for room: commit it to count it as spent.
   */
  hold(payment: HeldPayment): Reservation
  /** Spending per budget (and per host or payee for such budgets). */
  usage(): BudgetUsage[]
}

/** A payment `Policy.hold` reserves: what its receipt says. */
export type HeldPayment = {
  /** Atomic units of `asset`. */
  readonly amount: bigint
  /** CAIP-2. */
  readonly network: string
  readonly asset: string
  readonly payTo: string
  /** The host paid (`api.example.com`, with a non-default port). */
  readonly host: string
  /** The asset's decimals, when the registry knows them. */
  readonly decimals: number | undefined
}

/** What `createPolicy` throws: a malformed option. */
export type CreatePolicyErrorType = InvalidPolicyError

const policyBrand = Symbol.for('tollgate.policy')

/** The default budgets: per host and per payee, an hour each. */
export const defaultBudgets: readonly BudgetParameters[] = [
  { limit: '$5', scope: 'host', windowMs: 3_600_000 },
  { limit: '$5', scope: 'payee', windowMs: 3_600_000 },
]

/**
 * Creates a spending policy: the rules an agent pays under, and the state they keep (budgets, the
 * payee, network, asset and price each route was paid with, rate-limit counters).
 *
 * @example
 * const policy = createPolicy({
 *   networks: ['eip155:8453'],
 *   maxPerRequest: '$0.10',
 *   prices: { 'api.example.com': '$0.02' },
 *   budgets: [{ limit: '$5', windowMs: 86_400_000 }, { limit: '$1', scope: 'host' }],
 * })
 */
export function createPolicy(parameters: PolicyParameters = {}): Policy {
  const { budgets = defaultBudgets, prices = {}, maxAuthorizationSeconds = 300 } = parameters
  const now = parameters.now ?? Date.now
  const lifetimeSeconds = resolveLifetime(maxAuthorizationSeconds)
  const resolved = resolvePolicy(parameters)
  const state: PolicyState = {
    parameters,
    resolved,
    priceList: resolvePriceList(prices),
    ledger: createBudgetLedger(budgets, { now }),
    memory: createRouteMemory(),
    learnWindowMs: resolved.learnPrices?.windowMs ?? 0,
    lifetimeSeconds,
    now,
    decimalsOf: (network, asset) => assetRuleOf(resolved, network, asset)?.decimals,
  }
  const engine: PolicyEngine & { [policyBrand]: true } = {
    [policyBrand]: true,
    parameters,
    prepare: (decision) => preparePayment(state, decision),
    decide: (decision) => decide(state, decision),
    now: () => now(),
    hold: (payment: HeldPayment, id?: string | undefined) =>
      state.ledger.hold(...chargeOf(state, payment), id),
    restore: (payment, settled) => state.ledger.restore(...chargeOf(state, payment), settled),
    usage: () => state.ledger.usage(),
  }
  return engine
}

/** A payment from a receipt as the ledger counts it, and the host it was paid on. */
function chargeOf(
  state: PolicyState,
  { amount, network, asset, payTo, host, decimals }: HeldPayment,
) {
  const address = asset.toLowerCase()
  const requirements = {
    scheme: 'exact',
    network,
    amount: amount.toString(),
    asset,
    payTo,
    maxTimeoutSeconds: 0,
    extra: {},
  }
  const charge = {
    requirements,
    amount,
    network,
    asset: address,
    decimals: state.decimalsOf(network, address) ?? decimals,
  }
  return [charge, host] as const
}

/** Whether a value is a policy made by `createPolicy` (rather than its parameters). */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && policyBrand in value
}

/** The decision side of a policy made by `createPolicy`. */
export function policyEngine(policy: Policy): PolicyEngine {
  return policy as PolicyEngine
}
