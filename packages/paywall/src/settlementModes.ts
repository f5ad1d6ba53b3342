import {
  findSupportedKind,
  readSettlementModes,
  type SettlementMode,
  type SupportedResponse,
  selectSettlementMode,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import { UnsupportedSettlementModeError } from './errors.js'
import type { Report } from './logger.js'

// What a route's `settlement` asks for must hold: each (route, network) is checked once against
// the facilitator's `/supported` (`extra.settlementModes`; a facilitator that lists none, like the
// reference, settles `confirmed` only). The asked mode is used when listed, else the nearest
// stronger one (a later answer: the provider waits longer, never risks more), else the route is
// refused rather than settled in a weaker mode than it asked for.

/** What the check reads of a route. */
type ModeRoute = {
  key: string
  settlement: SettlementMode | undefined
  options: readonly { network: string }[]
}

/** The settlement modes of a paywall's routes, as its facilitator can honour them. */
export type SettlementModes = {
  /**
   * The mode to settle a payment of `route` on `network` in: `undefined` when the route sets none
   * (the facilitator's default applies). Throws `UnsupportedSettlementModeError` when the
   * facilitator cannot honour it, or what `facilitator.supported()` threw (not kept: the next
   * call asks again).
   */
  modeFor(route: ModeRoute, network: string): Promise<SettlementMode | undefined>
  /** Checks every route that sets a mode, on each of its networks; rejects like `modeFor`. */
  ready(): Promise<void>
}

/** The checks of a paywall, each decided once and kept. */
export function createSettlementModes(
  facilitator: FacilitatorClient,
  { routes, report }: { routes: readonly ModeRoute[]; report: Report },
): SettlementModes {
  let supported: Promise<SupportedResponse> | undefined
  const decided = new Map<string, SettlementMode | UnsupportedSettlementModeError>()

  function readSupported(): Promise<SupportedResponse> {
    if (!supported) {
      const answer = facilitator.supported()
      supported = answer
      answer.catch(() => {
        if (supported === answer) supported = undefined
      })
    }
    return supported
  }

  async function modeFor(route: ModeRoute, network: string) {
    const wanted = route.settlement
    if (wanted === undefined) return undefined
    const key = `${route.key}\n${network}`
    if (!decided.has(key)) {
      const answer = await readSupported()
      // Requests that waited on the same read decide (and log) once.
      if (!decided.has(key)) decided.set(key, decide(route.key, network, wanted, answer))
    }
    const decision = decided.get(key)!
    if (decision instanceof UnsupportedSettlementModeError) throw decision
    return decision
  }

  function decide(
    route: string,
    network: string,
    wanted: SettlementMode,
    supported: SupportedResponse,
  ): SettlementMode | UnsupportedSettlementModeError {
    const kind = findSupportedKind(supported, { x402Version: 2, scheme: 'exact', network })
    const honoured = kind && (readSettlementModes(kind) ?? ['confirmed'])
    const mode = honoured && selectSettlementMode(honoured, wanted)
    if (!mode) {
      const error = new UnsupportedSettlementModeError({
        route,
        network,
        settlement: wanted,
        supportedModes: honoured,
      })
      report('error', 'a route asks for a settlement mode the facilitator cannot honour', {
        route,
        network,
        settlement: wanted,
        error,
      })
      return error
    }
    if (mode !== wanted)
      report('warn', `settling in "${mode}", the nearest stronger mode the facilitator honours`, {
        route,
        network,
        settlement: wanted,
      })
    return mode
  }

  return {
    modeFor,
    async ready() {
      for (const route of routes)
        for (const option of route.options) await modeFor(route, option.network)
    },
  }
}
