import type { BudgetRefusal, RateLimitRefusal, Refusal } from '../errors/policy.js'
import {
  BudgetExceededError,
  InvalidPolicyError,
  PolicyRefusedError,
  RateLimitedError,
} from '../errors/policy.js'
import { toCandidates } from './candidate.js'
import type { GuardContext } from './guards.js'
import type { AgentClaim } from './identity.js'
import { readAgentClaim } from './identity.js'
import type {
  DecisionParameters,
  PaymentDecision,
  PolicyState,
  Preparation,
} from './policyState.js'
import { matchPrice } from './prices.js'
import { routeKey } from './routes.js'
import { selectRequirement } from './selectRequirement.js'

/** What the guards know about a request besides the candidate, from the policy's state. */
export function contextOf(
  state: PolicyState,
  {
    url,
    requestedUrl,
    method,
    resourceNames = [],
    identity,
    prepared,
  }: {
    url: URL
    requestedUrl: URL
    method: string
    resourceNames?: readonly string[] | undefined
    identity: AgentClaim
    prepared?: Preparation | undefined
  },
): GuardContext {
  const route = routeKey(method, url)
  const listed = matchPrice(state.priceList, { method, url })
  const { expectPrice } = state.parameters
  return {
    url,
    requestedUrl,
    method,
    resourceNames,
    route,
    now: state.now(),
    routeState: state.memory.get(route),
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

/**
 * Chooses an option of a challenge and reserves its price, synchronously, so concurrent calls
 * cannot both pass a budget, rate-limit or pin check that only one of them fits. Throws
 * `PolicyRefusedError` (`BudgetExceededError`, `RateLimitedError`) when no option is acceptable.
 */
export function decide(
  state: PolicyState,
  {
    challenge,
    url,
    requestedUrl = url,
    method,
    resourceNames,
    assets,
    prepared,
    id,
  }: DecisionParameters,
): PaymentDecision {
  // Everything from here to the reservation is synchronous: no other call can spend, pin a
  // route or take a rate-limit slot in between.
  const { ledger, memory, resolved } = state
  const { select } = state.parameters
  const identity = prepared?.identity ?? readAgentClaim(challenge)
  const context = contextOf(state, { url, requestedUrl, method, resourceNames, identity, prepared })
  const host = url.host
  const result = selectRequirement(resolved, {
    candidates: toCandidates(challenge, { assets, decimalsOf: state.decimalsOf }),
    context,
    check: (candidate) => ledger.check(candidate, host),
    select: select && ((acceptable) => select(acceptable, { url, method, challenge })),
  })
  if (result.chosen === undefined) throw refusalError(result.refusal, result.refusals)
  const candidate = result.chosen
  const reservation = ledger.reserve(candidate, host, id)
  const forget = memory.record(context.route, candidate, context.now, state.learnWindowMs)
  return {
    candidate,
    reservation,
    route: context.route,
    validForSeconds: Math.min(candidate.requirements.maxTimeoutSeconds, state.lifetimeSeconds),
    abandon() {
      reservation.release()
      forget()
    },
    recordRefusal() {
      memory.refuse(context.route, state.now())
    },
  }
}

/** The error for a refusal: its guard's subclass when it has one. */
function refusalError(refusal: Refusal, refusals: readonly Refusal[]): PolicyRefusedError {
  if (refusal.guard === 'budget')
    return new BudgetExceededError({ refusal: refusal as BudgetRefusal, refusals })
  if (refusal.guard === 'rateLimit')
    return new RateLimitedError({ refusal: refusal as RateLimitRefusal, refusals })
  return new PolicyRefusedError({ refusal, refusals })
}
