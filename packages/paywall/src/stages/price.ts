import type { PaymentRequirements } from '@tollgate/core'
import type { Engine } from '../engine/context.js'
import type { Outcome, PaidCall } from '../engine/types.js'
import { UptoUnavailableError } from '../errors.js'
import { priceOffer } from '../offer/price.js'
import { paywallReasons } from '../reasons.js'

/**
 * The requirements of one call (its price functions called, an `upto` one given the facilitator's
 * `facilitatorAddress`), or the refusal when one throws.
 */
export async function priceCall<request, result>(
  engine: Engine<request, result>,
  call: PaidCall<request, result>,
): Promise<PaymentRequirements[] | Outcome<result>> {
  let priced: PaymentRequirements[]
  try {
    priced = await priceOffer(call.offer, call.request, engine.assets)
  } catch (error) {
    engine.report('error', 'a price function failed', { route: call.offer.key, error })
    return {
      kind: 'refused',
      failure: 'server_error',
      reason: paywallReasons.priceUnavailable,
      message: 'The price of this resource could not be computed.',
    }
  }
  try {
    return await Promise.all(priced.map((requirement) => withFacilitator(engine, requirement)))
  } catch (error) {
    engine.report('error', 'no facilitator settles upto payments here', {
      route: call.offer.key,
      error,
    })
    return {
      kind: 'refused',
      failure: 'server_error',
      reason: paywallReasons.uptoUnavailable,
      message: 'The payment facilitator does not settle usage-based (upto) payments here.',
    }
  }
}

/** An `upto` requirement names the account that will settle it (`extra.facilitatorAddress`). */
async function withFacilitator<request, result>(
  engine: Engine<request, result>,
  requirement: PaymentRequirements,
): Promise<PaymentRequirements> {
  if (requirement.scheme !== 'upto' || typeof requirement.extra?.facilitatorAddress === 'string')
    return requirement
  const facilitatorAddress = await engine.uptoFacilitators.addressFor(requirement.network)
  if (!facilitatorAddress) throw new UptoUnavailableError({ network: requirement.network })
  return { ...requirement, extra: { ...requirement.extra, facilitatorAddress } }
}
