import type { Asset } from '@tollgate/evm'
import type { BudgetRefusal, RateLimitRefusal, Refusal } from '../errors/policy.js'
import {
  BudgetExceededError,
  InvalidPolicyError,
  PolicyRefusedError,
  RateLimitedError,
} from '../errors/policy.js'
import type { BudgetParameters, BudgetUsage, Reservation } from './budget.js'
import { createBudgetLedger } from './budget.js'
import type { Candidate, Challenge } from './candidate.js'
import { byPrice, toCandidates } from './candidate.js'
import type { GuardContext, PayeeCheck } from './guards.js'
import { assetRuleOf, staticGuards } from './guards.js'
import type { AgentClaim, NamedAgent, VerifyPayee } from './identity.js'
import { readAgentClaim } from './identity.js'
import type { Limit } from './limit.js'
import { resolveLimit } from './limit.js'
import type { PriceExpectation, PriceList } from './prices.js'
import { matchPrice, resolvePriceList } from './prices.js'
import { resolveLifetime, resolvePolicy } from './resolvePolicy.js'
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

/** What a policy's decision needs to know about a challenge. */
export type DecisionParameters = {
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

/** What `prepare` found out, by I/O, before the synchronous `decide`. */
export type Preparation = {
  readonly identity: AgentClaim
  readonly expected: PriceExpectation | undefined
  readonly expectedError: { readonly error: unknown } | undefined
  readonly verifications: ReadonlyMap<string, PayeeCheck> | undefined
}

/** The option chosen for one payment, with its money reserved in every budget. */
export type PaymentDecision = {
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

/**
 * A spending policy: its budgets and route memory are shared by every fetch it is given to.
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

/** The part of a policy `wrapFetch` drives: the decision before each signature. */
export type PolicyEngine = Policy & {
  /**
   * Runs the policy's hooks for a challenge (`expectPrice`, `verifyPayee`): the I/O that must be
   * done before `decide`, which is synchronous.
   */
  prepare(parameters: Omit<DecisionParameters, 'prepared'>): Promise<Preparation>
  /**
   * Chooses an option of a challenge and reserves its price, synchronously, so concurrent calls
   * cannot both pass a budget, rate-limit or pin check that only one of them fits. Throws
   * `PolicyRefusedError` (`BudgetExceededError`, `RateLimitedError`) when no option is acceptable.
   */
  decide(parameters: DecisionParameters): PaymentDecision
  /** The policy's clock (ms). */
  now(): number
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
    budgets = defaultBudgets,
    prices = {},
    expectPrice,
    maxAuthorizationSeconds = 300,
    verifyPayee,
    select,
    now = Date.now,
  } = parameters
  const lifetimeSeconds = resolveLifetime(maxAuthorizationSeconds)
  const resolved = resolvePolicy(parameters)
  const priceList = resolvePriceList(prices)
  const ledger = createBudgetLedger(budgets, { now })
  const memory = createRouteMemory()
  const learnWindowMs = resolved.learnPrices?.windowMs ?? 0

  function decimalsOf(network: string, asset: string) {
    return assetRuleOf(resolved, network, asset)?.decimals
  }

  async function expectationOf(
    context: ExpectPriceContext,
  ): Promise<Pick<Preparation, 'expected' | 'expectedError'>> {
    if (!expectPrice) return { expected: undefined, expectedError: undefined }
    try {
      const limit = await expectPrice(context)
      if (limit === undefined) return { expected: undefined, expectedError: undefined }
      return {
        expected: { limit: resolveLimit(limit, 'expectPrice'), source: 'expectPrice' },
        expectedError: undefined,
      }
    } catch (error) {
      return { expected: undefined, expectedError: { error } }
    }
  }

  /**
   * Runs `verifyPayee` for the payees of the options the cheap rules accept, and only a few: a
   * server cannot make the agent run its hook (an RPC call, say) for a thousand made-up payees.
   */
  async function checkPayees(
    agent: NamedAgent,
    parameters: Omit<DecisionParameters, 'prepared'> & { identity: AgentClaim },
  ): Promise<Map<string, PayeeCheck>> {
    const { url, method, challenge, assets } = parameters
    const context = contextOf({ ...parameters, requestedUrl: parameters.requestedUrl ?? url })
    // The cheapest first: those are the ones `decide` would choose.
    const payTos = new Map<string, Candidate>()
    const candidates = toCandidates(challenge, { assets, decimalsOf })
      .filter((c) => staticGuards.every((guard) => guard(c, resolved, context) === undefined))
      .sort(byPrice)
    for (const candidate of candidates)
      if (!payTos.has(candidate.payTo)) payTos.set(candidate.payTo, candidate)
    const checks = new Map<string, PayeeCheck>()
    await Promise.all(
      [...payTos.values()].slice(0, maxVerifiedPayees).map(async (candidate) => {
        try {
          await verifyPayee!({
            agent,
            payTo: candidate.requirements.payTo,
            requirements: candidate.requirements,
            url,
            method,
            challenge,
          })
          checks.set(candidate.payTo, { ok: true })
        } catch (error) {
          checks.set(candidate.payTo, { ok: false, error })
        }
      }),
    )
    return checks
  }

  async function prepare(parameters: Omit<DecisionParameters, 'prepared'>): Promise<Preparation> {
    const { challenge, url, method } = parameters
    const identity = readAgentClaim(challenge)
    const agent = identity.kind === 'named' ? identity.agent : undefined
    const { expected, expectedError } = await expectationOf({ url, method, challenge, agent })
    const verifications =
      agent && verifyPayee ? await checkPayees(agent, { ...parameters, identity }) : undefined
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
        (expectPrice && !prepared
          ? {
              error: new InvalidPolicyError({
                option: 'expectPrice',
                reason: 'the callback was not run before the decision',
              }),
            }
          : undefined),
      identity,
      verifications: prepared?.verifications,
    }
  }

  function decide({
    challenge,
    url,
    requestedUrl = url,
    method,
    assets,
    prepared,
  }: DecisionParameters): PaymentDecision {
    // Everything from here to the reservation is synchronous: no other call can spend, pin a
    // route or take a rate-limit slot in between.
    const identity = prepared?.identity ?? readAgentClaim(challenge)
    const context = contextOf({ url, requestedUrl, method, identity, prepared })
    const host = url.host
    const result = selectRequirement(resolved, {
      candidates: toCandidates(challenge, { assets, decimalsOf }),
      context,
      check: (candidate) => ledger.check(candidate, host),
      select: select && ((acceptable) => select(acceptable, { url, method, challenge })),
    })
    if (result.chosen === undefined) throw refusalError(result.refusal, result.refusals)
    const candidate = result.chosen
    const reservation = ledger.reserve(candidate, host)
    const forget = memory.record(context.route, candidate, context.now, learnWindowMs)
    return {
      candidate,
      reservation,
      route: context.route,
      validForSeconds: Math.min(candidate.requirements.maxTimeoutSeconds, lifetimeSeconds),
      abandon() {
        reservation.release()
        forget()
      },
      recordRefusal() {
        memory.refuse(context.route, now())
      },
    }
  }

  const engine: PolicyEngine & { [policyBrand]: true } = {
    [policyBrand]: true,
    parameters,
    prepare,
    decide,
    now: () => now(),
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
      const address = asset.toLowerCase()
      return ledger.hold(
        {
          requirements,
          amount,
          network,
          asset: address,
          decimals: decimalsOf(network, address) ?? decimals,
        },
        host,
      )
    },
    usage: () => ledger.usage(),
  }
  return engine
}

/** The error for a refusal: its guard's subclass when it has one. */
function refusalError(refusal: Refusal, refusals: readonly Refusal[]): PolicyRefusedError {
  if (refusal.guard === 'budget')
    return new BudgetExceededError({ refusal: refusal as BudgetRefusal, refusals })
  if (refusal.guard === 'rateLimit')
    return new RateLimitedError({ refusal: refusal as RateLimitRefusal, refusals })
  return new PolicyRefusedError({ refusal, refusals })
}

/** Whether a value is a policy made by `createPolicy` (rather than its parameters). */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && policyBrand in value
}

/** The decision side of a policy made by `createPolicy`. */
export function policyEngine(policy: Policy): PolicyEngine {
  return policy as PolicyEngine
}
