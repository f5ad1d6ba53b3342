import type { Asset } from '@tollgate/evm'
import type { BudgetLedger, Reservation, SettledCharge } from './budget.js'
import type { Candidate, Challenge } from './candidate.js'
import type { HeldPayment, Policy, PolicyParameters } from './createPolicy.js'
import type { PayeeCheck, ResolvedPolicy } from './guards.js'
import type { AgentClaim } from './identity.js'
import type { PriceExpectation, ResolvedPriceList } from './prices.js'
import type { RouteMemory } from './routes.js'

// The decision side of a policy, shared by `preparePayment` and `decidePayment`.

/** What a policy keeps: its parsed rules and the state they track. */
export type PolicyState = {
  readonly parameters: PolicyParameters
  readonly resolved: ResolvedPolicy
  readonly priceList: ResolvedPriceList
  readonly ledger: BudgetLedger
  readonly memory: RouteMemory
  /** How long a learnt price is the reference (0 without learning). */
  readonly learnWindowMs: number
  /** `maxAuthorizationSeconds`, checked. */
  readonly lifetimeSeconds: number
  readonly now: () => number
  /** The decimals the policy's asset rules give an asset (lower-case address). */
  decimalsOf(network: string, asset: string): number | undefined
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
  /** Other names of the resource paid, which a challenge may give (see `PaymentSource`). */
  readonly resourceNames?: readonly string[] | undefined
  /** The asset registry: decimals and EIP-712 domains. */
  readonly assets: readonly Asset[]
  /** What `prepare` found for this challenge; without it, hooks count as not run. */
  readonly prepared?: Preparation | undefined
  /** The id of the receipt the payment will be recorded by: its budget entries are counted once. */
  readonly id?: string | undefined
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

/** The part of a policy the payer drives: the decision before each signature. */
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
  /** `hold`, naming the receipt the payment is recorded by, so it is counted once. */
  hold(payment: HeldPayment, id?: string | undefined): Reservation
  /**
   * Counts a payment a receipt log shows settled at `settled.at` in the windowed budgets it
   * still falls in, once per receipt id: what a restarted agent spent before it started.
   */
  restore(payment: HeldPayment, settled: SettledCharge): void
}
