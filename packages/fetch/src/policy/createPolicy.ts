import { toCaip2 } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import type { BudgetRefusal, RateLimitRefusal } from '../errors.js'
import { BudgetExceededError, PolicyRefusedError, RateLimitedError } from '../errors.js'
import type { BudgetParameters, BudgetUsage, Reservation } from './budget.js'
import { createBudgetLedger } from './budget.js'
import type { Candidate, Challenge } from './candidate.js'
import { byPrice, toCandidates } from './candidate.js'
import type {
  GuardContext,
  PayeeVerification,
  ResolvedPayeeRule,
  ResolvedPolicy,
} from './guards.js'
import { assetRuleOf, staticGuards } from './guards.js'
import type { AgentClaim, AgentIdentity, VerifyPayee } from './identity.js'
import { readAgentIdentity } from './identity.js'
import type { Limit } from './limit.js'
import { resolveLimit } from './limit.js'
import type { PriceExpectation, PriceList } from './prices.js'
import { matchPrice, resolvePriceList } from './prices.js'
import type { ResourceBinding } from './resource.js'
import { createRouteMemory, routeKey } from './routes.js'
import { selectRequirement } from './selectRequirement.js'

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
  readonly agent: AgentIdentity | undefined
}

/**
 * The most the agent expects to pay for this request (whole units such as `'$0.01'`, or atomic
 * units as a `bigint`), or `undefined` when it has no expectation. A rejection refuses the payment.
 */
export type ExpectPrice = (
  context: ExpectPriceContext,
) => Limit | undefined | Promise<Limit | undefined>

export type PolicyParameters = {
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
   * The most one request may cost; `null` for no cap.
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
   * The clock budgets, rate limits and learnt prices use, in milliseconds.
   * @default Date.now
   */
  now?: (() => number) | undefined
}

export type AuthorizeParameters = {
  readonly challenge: Challenge
  /** The URL that answered the 402 (after redirects): the one that gets paid. */
  readonly url: URL
  /**
   * The URL the caller asked for.
   * @default url
   */
  readonly requestedUrl?: URL | undefined
  readonly method: string
  /** The asset registry: decimals and EIP-712 domains. */
  readonly assets: readonly Asset[]
  /** What `prepare` found for this challenge; without it, hooks count as not run. */
  readonly prepared?: Preparation | undefined
}

/** What `prepare` found out, by I/O, before the synchronous `authorize`. */
export type Preparation = {
  readonly identity: AgentClaim
  readonly expected: PriceExpectation | undefined
  readonly expectedError: { readonly error: unknown } | undefined
  readonly verifications: ReadonlyMap<string, PayeeVerification> | undefined
}

/** The option chosen for one payment, with its money reserved in every budget. */
export type Authorization = {
  readonly candidate: Candidate
  readonly reservation: Reservation
  /** `METHOD origin/path` of the URL paid. */
  readonly route: string
  /** How long the authorization may be valid: the server's `maxTimeoutSeconds`, capped. */
  readonly validForSeconds: number
  /** Nothing was signed after all: frees the budget, the rate-limit slot and any new pin. */
  abandon(): void
  /** The server answered the payment with a 402 again: it counts toward the route's storm limit. */
  recordRefusal(): void
}

/** A spending policy: its budgets and route memory are shared by every fetch it is given to. */
export type Policy = {
  readonly parameters: PolicyParameters
  /**
   * Runs the policy's hooks for a challenge (`expectPrice`, `verifyPayee`): the I/O that must be
   * done before `authorize`, which is synchronous.
   */
  prepare(parameters: Omit<AuthorizeParameters, 'prepared'>): Promise<Preparation>
  /**
   * Chooses an option of a challenge and reserves its price, synchronously, so concurrent calls
   * cannot both pass a budget, rate-limit or pin check that only one of them fits. Throws
   * `PolicyRefusedError` (`BudgetExceededError`, `RateLimitedError`) when no option is acceptable.
   */
  authorize(parameters: AuthorizeParameters): Authorization
  /**
   * Reserves a payment already made whose outcome is unknown (a purchase rebuilt from the receipt
   * log), without checking for room: its money may be gone, so it counts until it is reconciled.
   */
  hold(payment: HeldPayment): Reservation
  /** Spending per budget (and per host or payee for such budgets). */
  usage(): BudgetUsage[]
}

/** A payment `Policy.hold` reserves: what its receipt says. */
export type HeldPayment = {
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

const policyBrand = Symbol.for('tollgate.policy')

/** The default budgets: per host and per payee, an hour each. */
export const defaultBudgets: readonly BudgetParameters[] = [
  { limit: '$5', scope: 'host', windowMs: 3_600_000 },
  { limit: '$5', scope: 'payee', windowMs: 3_600_000 },
]

/** A `verifyPayee` hook is called for at most this many payees of one challenge. */
const maxVerifiedPayees = 8

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
  const {
    maxPerRequest = '$1',
    budgets = defaultBudgets,
    payees = {},
    prices = {},
    expectPrice,
    learnPrices = {},
    pin = {},
    resourceBinding = 'path',
    allowRedirectTo = [],
    maxAuthorizationSeconds = 300,
    rateLimit = {},
    verifyPayee,
    requireIdentity = false,
    select,
    now = Date.now,
  } = parameters
  if (!Number.isSafeInteger(maxAuthorizationSeconds) || maxAuthorizationSeconds <= 0)
    throw new RangeError(
      `maxAuthorizationSeconds must be a positive integer, got ${maxAuthorizationSeconds}`,
    )
  if (!['path', 'origin', 'off'].includes(resourceBinding))
    throw new RangeError(
      `resourceBinding must be 'path', 'origin' or 'off', got ${resourceBinding}`,
    )

  const resolved: ResolvedPolicy = {
    networks: parameters.networks && new Set(parameters.networks.map((n) => toCaip2(n))),
    assets: parameters.assets?.map((rule) => ({
      network: toCaip2(rule.network),
      address: rule.address.toLowerCase(),
      decimals: rule.decimals,
      eip712: rule.eip712,
    })),
    maxPerRequest: maxPerRequest === null ? undefined : resolveLimit(maxPerRequest),
    payees: resolvePayees(payees),
    hostPayees: new Map(
      Object.entries(payees.hosts ?? {}).map(([host, rule]) => [
        host.toLowerCase(),
        resolvePayees(rule),
      ]),
    ),
    learnPrices: learnPrices === false ? undefined : resolveLearning(learnPrices),
    pin: { payee: pin.payee ?? true, network: pin.network ?? true, asset: pin.asset ?? true },
    resourceBinding,
    allowRedirectTo:
      allowRedirectTo === '*' ? '*' : new Set(allowRedirectTo.map((o) => new URL(o).origin)),
    rateLimit: rateLimit === null ? undefined : resolveRateLimit(rateLimit),
    verifyPayee: verifyPayee !== undefined,
    requireIdentity,
  }
  const priceList = resolvePriceList(prices)
  const ledger = createBudgetLedger(budgets, { now })
  const memory = createRouteMemory()
  const learnWindowMs = resolved.learnPrices?.windowMs ?? 0

  function decimalsOf(network: string, asset: string) {
    return assetRuleOf(resolved, network, asset)?.decimals
  }

  async function prepare({
    challenge,
    url,
    requestedUrl = url,
    method,
    assets,
  }: Omit<AuthorizeParameters, 'prepared'>): Promise<Preparation> {
    const identity = readAgentIdentity(challenge)
    const agent = identity.kind === 'named' ? identity.agent : undefined
    let expected: PriceExpectation | undefined
    let expectedError: { error: unknown } | undefined
    if (expectPrice)
      try {
        const limit = await expectPrice({ url, method, challenge, agent })
        if (limit !== undefined) expected = { limit: resolveLimit(limit), source: 'expectPrice' }
      } catch (error) {
        expectedError = { error }
      }

    let verifications: Map<string, PayeeVerification> | undefined
    if (agent && verifyPayee) {
      // Only payees of options the cheap rules accept are checked, and only a few: a server cannot
      // make the agent run its hook (an RPC call, say) for a thousand made-up payees.
      const context = contextOf({ url, requestedUrl, method, identity })
      // The cheapest first: those are the ones `authorize` would choose.
      const payTos = new Map<string, Candidate>()
      const candidates = toCandidates(challenge, { assets, decimalsOf })
        .filter((c) => staticGuards.every((guard) => guard(c, resolved, context) === undefined))
        .sort(byPrice)
      for (const candidate of candidates)
        if (!payTos.has(candidate.payTo)) payTos.set(candidate.payTo, candidate)
      verifications = new Map()
      await Promise.all(
        [...payTos.values()].slice(0, maxVerifiedPayees).map(async (candidate) => {
          try {
            await verifyPayee({
              agent,
              payTo: candidate.requirements.payTo,
              requirements: candidate.requirements,
              url,
              method,
              challenge,
            })
            verifications!.set(candidate.payTo, { ok: true })
          } catch (error) {
            verifications!.set(candidate.payTo, { ok: false, error })
          }
        }),
      )
    }
    return { identity, expected, expectedError, verifications }
  }

  function contextOf({
    url,
    requestedUrl,
    method,
    identity,
    prepared,
  }: {
    url: URL
    requestedUrl: URL
    method: string
    identity: AgentClaim
    prepared?: Preparation | undefined
  }): GuardContext {
    const route = routeKey(method, url)
    const listed = matchPrice(priceList, { method, url })
    return {
      url,
      requestedUrl,
      method,
      route,
      now: now(),
      routeState: memory.get(route),
      expected: [listed, prepared?.expected].filter((e) => e !== undefined),
      // Without a preparation, a configured callback counts as failed rather than as absent.
      expectedError:
        prepared?.expectedError ??
        (expectPrice && !prepared ? { error: new Error('expectPrice was not run') } : undefined),
      identity,
      verifications: prepared?.verifications,
    }
  }

  return {
    [policyBrand]: true,
    parameters,
    prepare,
    authorize({ challenge, url, requestedUrl = url, method, assets, prepared }) {
      // Everything from here to the reservation is synchronous: no other call can spend, pin a
      // route or take a rate-limit slot in between.
      const identity = prepared?.identity ?? readAgentIdentity(challenge)
      const context = contextOf({ url, requestedUrl, method, identity, prepared })
      const host = url.host
      const result = selectRequirement(resolved, {
        candidates: toCandidates(challenge, { assets, decimalsOf }),
        context,
        check: (candidate) => ledger.check(candidate, host),
        select: select && ((acceptable) => select(acceptable, { url, method, challenge })),
      })
      if (result.chosen === undefined) {
        const { refusal, refusals } = result
        if (refusal.guard === 'budget')
          throw new BudgetExceededError({ refusal: refusal as BudgetRefusal, refusals })
        if (refusal.guard === 'rateLimit')
          throw new RateLimitedError({ refusal: refusal as RateLimitRefusal, refusals })
        throw new PolicyRefusedError({ refusal, refusals })
      }
      const candidate = result.chosen
      const reservation = ledger.reserve(candidate, host)
      const forget = memory.record(context.route, candidate, context.now, learnWindowMs)
      return {
        candidate,
        reservation,
        route: context.route,
        validForSeconds: Math.min(
          candidate.requirements.maxTimeoutSeconds,
          maxAuthorizationSeconds,
        ),
        abandon() {
          reservation.release()
          forget()
        },
        recordRefusal() {
          memory.refuse(context.route, now())
        },
      }
    },
    hold({ amount, network, asset, payTo, host, decimals }) {
      const requirements = {
        scheme: 'exact',
        network,
        amount: amount.toString(),
        asset,
        payTo,
        maxTimeoutSeconds: 0,
        extra: {},
      }
      return ledger.hold(
        { requirements, amount, decimals: decimalsOf(network, asset) ?? decimals },
        host,
      )
    },
    usage: () => ledger.usage(),
  } as Policy
}

/** Whether a value is a policy made by `createPolicy` (rather than its parameters). */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && policyBrand in value
}

function resolvePayees(rule: PayeeRule): ResolvedPayeeRule {
  return {
    allow: rule.allow && new Set(rule.allow.map((p) => p.toLowerCase())),
    deny: new Set((rule.deny ?? []).map((p) => p.toLowerCase())),
  }
}

function resolveLearning({
  maxIncreasePercent = 100,
  windowMs = 86_400_000,
}: {
  maxIncreasePercent?: number | undefined
  windowMs?: number | undefined
}) {
  if (!Number.isSafeInteger(maxIncreasePercent) || maxIncreasePercent < 0)
    throw new RangeError(
      `learnPrices.maxIncreasePercent must be a non-negative integer, got ${maxIncreasePercent}`,
    )
  positive('learnPrices.windowMs', windowMs)
  return { maxIncreasePercent: BigInt(maxIncreasePercent), windowMs }
}

function resolveRateLimit({
  max = 60,
  windowMs = 60_000,
  maxRefused = 3,
}: {
  max?: number | undefined
  windowMs?: number | undefined
  maxRefused?: number | undefined
}) {
  if (!Number.isSafeInteger(max) || max <= 0)
    throw new RangeError(`rateLimit.max must be a positive integer, got ${max}`)
  if (!Number.isSafeInteger(maxRefused) || maxRefused <= 0)
    throw new RangeError(`rateLimit.maxRefused must be a positive integer, got ${maxRefused}`)
  positive('rateLimit.windowMs', windowMs)
  return { max, windowMs, maxRefused }
}

function positive(name: string, value: number) {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`)
}
