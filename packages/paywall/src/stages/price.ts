import type { PaymentRequirements } from '@tollgate/core'
import type { Engine } from '../engine/context.js'
import type { Outcome, PaidCall } from '../engine/types.js'
import { priceOffer } from '../offer/price.js'
import { paywallReasons } from '../reasons.js'

/** The requirements of one call (its price functions called), or the refusal when one throws. */
export async function priceCall<request, result>(
  engine: Engine<request, result>,
  call: PaidCall<request, result>,
): Promise<PaymentRequirements[] | Outcome<result>> {
  try {
    return await priceOffer(call.offer, call.request, engine.assets)
  } catch (error) {
    engine.report('error', 'a price function failed', { route: call.offer.key, error })
    return {
      kind: 'refused',
      failure: 'server_error',
      reason: paywallReasons.priceUnavailable,
      message: 'The price of this resource could not be computed.',
    }
  }
}
