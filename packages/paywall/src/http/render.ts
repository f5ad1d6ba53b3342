import type { Asset } from '@tollgate/evm'
import type { Outcome } from '../engine/types.js'
import type { ResolvedOffer } from '../offer/resolveOffer.js'
import { buildChallenge, buildErrorResponse } from './challenge.js'
import type { PaywallPageRenderer } from './page/types.js'
import { type HttpResult, isHeld } from './resultCodec.js'
import { settlementHeaders } from './settlementHeader.js'
import { statusOf } from './status.js'
import type { HttpAnswer, PaywallResponse, ResponseHeaders } from './types.js'

/** What rendering needs besides the outcome. */
export type RenderContext = {
  offer: ResolvedOffer<never> | ResolvedOffer<unknown>
  /** The HTML page for a browser asking for the resource without paying; `undefined`: JSON. */
  page: { render: PaywallPageRenderer; assets: readonly Asset[] | undefined } | undefined
}

/**
 * The HTTP form of an outcome: challenges (402/412) with the v2 header and the v1 body, refusals
 * as JSON with the status chosen in `status.ts`, a paid result with `PAYMENT-RESPONSE` (or
 * `X-PAYMENT-RESPONSE` for v1), a failed handler's own response.
 */
export function renderOutcome(outcome: Outcome<HttpResult>, context: RenderContext): HttpAnswer {
  switch (outcome.kind) {
    case 'served':
    case 'replayed':
      return deliver(outcome.result, settlementHeaders(outcome.settlement, outcome.x402Version))
    case 'not-served':
      if (outcome.aborted) return { kind: 'drop' }
      return deliver(
        outcome.result,
        outcome.settlement ? settlementHeaders(outcome.settlement, outcome.x402Version) : {},
      )
    case 'payment-required':
    case 'settlement-failed': {
      const settlement =
        outcome.kind === 'settlement-failed'
          ? settlementHeaders(outcome.settlement, outcome.x402Version)
          : undefined
      const response = buildChallenge({
        paymentRequired: outcome.paymentRequired,
        message: outcome.message,
        outputSchema: context.offer.outputSchema,
        status: statusOf(outcome.failure),
        headers: settlement,
        // Only the first challenge (no payment yet) is a page: a refused payment is a script's.
        page: outcome.kind === 'payment-required' && !outcome.stage ? context.page : undefined,
      })
      return { kind: 'respond', response }
    }
    case 'refused': {
      const headers: ResponseHeaders = {
        ...(outcome.settlement && outcome.x402Version
          ? settlementHeaders(outcome.settlement, outcome.x402Version)
          : {}),
        ...(outcome.retryAfterSeconds ? { 'Retry-After': String(outcome.retryAfterSeconds) } : {}),
      }
      const response = buildErrorResponse({
        status: statusOf(outcome.failure),
        error: outcome.reason,
        message: outcome.message,
        headers,
      })
      return { kind: 'respond', response }
    }
  }
}

/** A result goes out: released when the adapter still holds it, else sent whole. */
function deliver(result: HttpResult, headers: ResponseHeaders): HttpAnswer {
  if (isHeld(result)) return { kind: 'release', headers }
  const response: PaywallResponse = { ...result, headers: { ...result.headers, ...headers } }
  return { kind: 'respond', response }
}
