import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { ResolvedAgentOption } from '../agent.js'
import { createIdempotency, type IdempotencyConfig } from '../idempotency/createIdempotency.js'
import { createReport } from '../logger.js'
import type { ResolvedOffer } from '../offer/resolveOffer.js'
import { createUptoFacilitators } from '../offer/uptoFacilitators.js'
import { createSettlementModes } from '../settlementModes.js'
import { challengeExtensions } from '../stages/challenge.js'
import { checkedStore } from '../state/checkedStore.js'
import { createKeptPayments } from '../state/keptPayments.js'
import { createReplayGuard } from '../state/replayGuard.js'
import { createMemoryStore } from '../store/createMemoryStore.js'
import type { Engine } from './context.js'
import type { CreatePaywallEngineParameters } from './createPaywallEngine.js'

/** Builds what every stage is given: the store-backed parts, the mode checks, the reporter. */
export function wireEngine<request, result>(
  facilitator: FacilitatorClient,
  parameters: CreatePaywallEngineParameters<request, result>,
  resolved: {
    offers: readonly ResolvedOffer<request>[]
    agent: ResolvedAgentOption | undefined
    idempotency: false | IdempotencyConfig
    now: () => number
  },
): Engine<request, result> {
  const { offers, agent, idempotency, now } = resolved
  const maxEntries = idempotency === false ? undefined : idempotency.maxEntries
  const store = checkedStore(parameters.store ?? createMemoryStore({ now, maxEntries }))
  const report = createReport(parameters.logger)
  return {
    facilitator,
    assets: parameters.assets,
    hooks: parameters.hooks ?? {},
    report,
    modes: createSettlementModes(facilitator, { routes: offers, report }),
    uptoFacilitators: createUptoFacilitators(facilitator),
    guard: createReplayGuard({ store, now }),
    kept: createKeptPayments({ store }),
    idempotency:
      idempotency === false
        ? undefined
        : createIdempotency({ store, ttlSeconds: idempotency.ttlSeconds }),
    idempotencyRequired: idempotency !== false && idempotency.required === true,
    codec: parameters.codec,
    extensions: challengeExtensions({ idempotency, agent }),
    statusOf: parameters.statusOf,
  }
}
