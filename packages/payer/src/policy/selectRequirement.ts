import { InvalidChallengeError } from '../errors/challenge.js'
import type { PolicyGuard, Refusal } from '../errors/policy.js'
import type { Candidate } from './candidate.js'
import { byPrice } from './candidate.js'
import type { GuardContext, ResolvedPolicy } from './guards.js'
import { guards } from './guards.js'

export type SelectRequirementParameters = {
  readonly candidates: readonly Candidate[]
  readonly context: GuardContext
  /** A last rule, run after the policy's own (the budget). */
  readonly check?: ((candidate: Candidate) => Refusal | undefined) | undefined
  /** Picks among the acceptable candidates, cheapest first; `undefined` refuses them all. */
  readonly select?: ((acceptable: readonly Candidate[]) => Candidate | undefined) | undefined
}

export type SelectRequirementReturnType =
  | {
      readonly chosen: Candidate
      readonly acceptable: readonly Candidate[]
      readonly refusals: readonly Refusal[]
    }
  | {
      readonly chosen: undefined
      readonly acceptable: readonly Candidate[]
      readonly refusals: readonly Refusal[]
      readonly refusal: Refusal
    }

const order: readonly PolicyGuard[] = [
  'https',
  'scheme',
  'network',
  'asset',
  'units',
  'redirect',
  'resource',
  'payee',
  'identity',
  'payeeChange',
  'networkChange',
  'assetChange',
  'price',
  'maxPerRequest',
  'rateLimit',
  'budget',
  'select',
]

/**
 * Runs every rule over every candidate and chooses the cheapest acceptable one (or the selector's
 * pick among them). When none is acceptable, `refusal` is the reason that matters most: the one
 * from the rule that ran last, so an option refused only by the budget is reported as a budget
 * refusal rather than hidden behind another option's unknown network.
 */
export function selectRequirement(
  policy: ResolvedPolicy,
  { candidates, context, check, select }: SelectRequirementParameters,
): SelectRequirementReturnType {
  const refusals: Refusal[] = []
  const acceptable: Candidate[] = []
  for (const candidate of candidates) {
    let refusal: Refusal | undefined
    for (const guard of guards) {
      refusal = guard(candidate, policy, context)
      if (refusal) break
    }
    refusal ??= check?.(candidate)
    if (refusal) refusals.push(refusal)
    else acceptable.push(candidate)
  }
  acceptable.sort(byPrice)

  if (acceptable.length > 0) {
    const chosen = select ? select(acceptable) : acceptable[0]
    if (chosen && acceptable.includes(chosen)) return { chosen, acceptable, refusals }
    const refusal: Refusal = {
      guard: 'select',
      reason: chosen
        ? 'the selector returned an option that is not among the acceptable ones'
        : 'the selector chose none of the acceptable options',
      requirements: (chosen ?? acceptable[0]!).requirements,
      values: { acceptable: acceptable.length },
    }
    return { chosen: undefined, acceptable, refusals: [...refusals, refusal], refusal }
  }

  // The challenge schemas require an entry; a hand-made challenge without one is not a challenge.
  if (refusals.length === 0)
    throw new InvalidChallengeError({ url: context.url.href, cause: 'it offers no payment option' })
  const refusal = refusals.reduce((best, r) =>
    order.indexOf(r.guard) > order.indexOf(best.guard) ? r : best,
  )
  return { chosen: undefined, acceptable, refusals, refusal }
}
