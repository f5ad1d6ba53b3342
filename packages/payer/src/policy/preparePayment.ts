import type { Candidate } from './candidate.js'
import { byPrice, toCandidates } from './candidate.js'
import type { ExpectPriceContext } from './createPolicy.js'
import { contextOf } from './decidePayment.js'
import type { PayeeCheck } from './guards.js'
import { staticGuards } from './guards.js'
import type { AgentClaim, NamedAgent } from './identity.js'
import { readAgentClaim } from './identity.js'
import { resolveLimit } from './limit.js'
import type { DecisionParameters, PolicyState, Preparation } from './policyState.js'

/** A `verifyPayee` hook is called for at most this many payees of one challenge. */
const maxVerifiedPayees = 8

/**
 * Runs a policy's hooks for a challenge (`expectPrice`, `verifyPayee`): the I/O that must be done
 * before the synchronous decision.
 */
export async function preparePayment(
  state: PolicyState,
  parameters: Omit<DecisionParameters, 'prepared'>,
): Promise<Preparation> {
  const { challenge, url, method } = parameters
  const identity = readAgentClaim(challenge)
  const agent = identity.kind === 'named' ? identity.agent : undefined
  const { expected, expectedError } = await expectationOf(state, { url, method, challenge, agent })
  const verifications =
    agent && state.parameters.verifyPayee
      ? await checkPayees(state, agent, { ...parameters, identity })
      : undefined
  return { identity, expected, expectedError, verifications }
}

/** What the `expectPrice` callback expects, or the error it failed with. */
async function expectationOf(
  state: PolicyState,
  context: ExpectPriceContext,
): Promise<Pick<Preparation, 'expected' | 'expectedError'>> {
  const { expectPrice } = state.parameters
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
  state: PolicyState,
  agent: NamedAgent,
  parameters: Omit<DecisionParameters, 'prepared'> & { identity: AgentClaim },
): Promise<Map<string, PayeeCheck>> {
  const { url, method, challenge, assets } = parameters
  const verifyPayee = state.parameters.verifyPayee!
  const context = contextOf(state, { ...parameters, requestedUrl: parameters.requestedUrl ?? url })
  // The cheapest first: those are the ones `decide` would choose.
  const payTos = new Map<string, Candidate>()
  const candidates = toCandidates(challenge, { assets, decimalsOf: state.decimalsOf })
    .filter((c) => staticGuards.every((guard) => guard(c, state.resolved, context) === undefined))
    .sort(byPrice)
  for (const candidate of candidates)
    if (!payTos.has(candidate.payTo)) payTos.set(candidate.payTo, candidate)
  const checks = new Map<string, PayeeCheck>()
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
        checks.set(candidate.payTo, { ok: true })
      } catch (error) {
        checks.set(candidate.payTo, { ok: false, error })
      }
    }),
  )
  return checks
}
