import { toCaip2 } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import type { BudgetRefusal } from '../errors.js'
import { BudgetExceededError, PolicyRefusedError } from '../errors.js'
import type { BudgetParameters, BudgetUsage, Reservation } from './budget.js'
import { createBudgetLedger } from './budget.js'
import type { Candidate, Challenge } from './candidate.js'
import { toCandidates } from './candidate.js'
import type { ResolvedPolicy } from './guards.js'
import type { Limit } from './limit.js'
import { resolveLimit } from './limit.js'
import { selectRequirement } from './selectRequirement.js'

/** An asset the agent agrees to pay with. */
export type AssetRule = {
  /** CAIP-2 (`eip155:8453`) or a v1 name (`base`). */
  network: string
  address: string
  /** Needed for caps and budgets in whole units when the asset is not in the registry. */
  decimals?: number | undefined
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

export type PolicyParameters = {
  /**
   * Networks the agent pays on (CAIP-2 or v1 names).
   * @default every network
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
  /** Allowances over time windows, in total or per host; a payment must fit all of them. */
  budgets?: readonly BudgetParameters[] | undefined
  /** Payees (`payTo`) the agent pays (`allow`, when given) or never pays (`deny`). */
  payees?:
    | { allow?: readonly string[] | undefined; deny?: readonly string[] | undefined }
    | undefined
  /** Chooses among the acceptable options instead of the cheapest. */
  select?: Selector | undefined
  /**
   * The clock budgets use, in milliseconds.
   * @default Date.now
   */
  now?: (() => number) | undefined
}

export type AuthorizeParameters = {
  readonly challenge: Challenge
  readonly url: URL
  readonly method: string
  /** The asset registry: decimals and EIP-712 domains. */
  readonly assets: readonly Asset[]
}

/** The option chosen for one payment, with its money reserved in every budget. */
export type Authorization = {
  readonly candidate: Candidate
  readonly reservation: Reservation
}

/** A spending policy: its budgets are shared by every fetch it is given to. */
export type Policy = {
  readonly parameters: PolicyParameters
  /**
   * Chooses an option of a challenge and reserves its price, synchronously, so concurrent calls
   * cannot both pass a budget check that only one of them fits. Throws `PolicyRefusedError`
   * (`BudgetExceededError` for budgets) when no option is acceptable.
   */
  authorize(parameters: AuthorizeParameters): Authorization
  /** Spending per budget (and per host for per-host budgets). */
  usage(): BudgetUsage[]
}

const policyBrand = Symbol.for('tollgate.policy')

/**
 * Creates a spending policy: the rules an agent pays under, and the budgets' state.
 *
 * @example
 * const policy = createPolicy({
 *   networks: ['eip155:8453'],
 *   maxPerRequest: '$0.10',
 *   budgets: [{ limit: '$5', windowMs: 86_400_000 }, { limit: '$1', scope: 'host' }],
 * })
 */
export function createPolicy(parameters: PolicyParameters = {}): Policy {
  const { maxPerRequest = '$1', budgets = [], payees = {}, select, now = Date.now } = parameters
  const resolved: ResolvedPolicy = {
    networks: parameters.networks && new Set(parameters.networks.map((n) => toCaip2(n))),
    assets: parameters.assets?.map((rule) => ({
      network: toCaip2(rule.network),
      address: rule.address.toLowerCase(),
      decimals: rule.decimals,
    })),
    maxPerRequest: maxPerRequest === null ? undefined : resolveLimit(maxPerRequest),
    allowPayees: payees.allow && new Set(payees.allow.map((p) => p.toLowerCase())),
    denyPayees: new Set((payees.deny ?? []).map((p) => p.toLowerCase())),
  }
  const ledger = createBudgetLedger(budgets, { now })

  function decimalsOf(network: string, asset: string) {
    return resolved.assets?.find((rule) => rule.network === network && rule.address === asset)
      ?.decimals
  }

  return {
    [policyBrand]: true,
    parameters,
    authorize({ challenge, url, method, assets }) {
      // Everything from here to `reserve` is synchronous: no other call can spend in between.
      const host = url.host
      const result = selectRequirement(resolved, {
        candidates: toCandidates(challenge, { assets, decimalsOf }),
        check: (candidate) => ledger.check(candidate, host),
        select: select && ((acceptable) => select(acceptable, { url, method, challenge })),
      })
      if (result.chosen === undefined) {
        const { refusal, refusals } = result
        if (refusal.guard === 'budget')
          throw new BudgetExceededError({ refusal: refusal as BudgetRefusal, refusals })
        throw new PolicyRefusedError({ refusal, refusals })
      }
      const reservation = ledger.reserve(result.chosen, host)
      return { candidate: result.chosen, reservation }
    },
    usage: () => ledger.usage(),
  } as Policy
}

/** Whether a value is a policy made by `createPolicy` (rather than its parameters). */
export function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && policyBrand in value
}
