import { findSupportedKind, type SupportedResponse } from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'

/** Which account settles `upto` payments, per network, as the facilitator's `/supported` says. */
export type UptoFacilitators = {
  /** The `facilitatorAddress` of the facilitator's v2 `upto` kind on `network`, if it has one. */
  addressFor(network: string): Promise<string | undefined>
}

const addressPattern = /^0x[0-9a-fA-F]{40}$/

/**
 * Reads the facilitator's `/supported` once (again after a failed read) for the address an `upto`
 * payer must name in its signature: only that account can settle it, so the server copies it into
 * the requirement's `extra.facilitatorAddress`, as the reference server does.
 */
export function createUptoFacilitators(facilitator: FacilitatorClient): UptoFacilitators {
  let supported: Promise<SupportedResponse> | undefined
  return {
    async addressFor(network) {
      supported ??= facilitator.supported()
      const answer = supported
      try {
        const kind = findSupportedKind(await answer, { x402Version: 2, scheme: 'upto', network })
        const address = kind?.extra?.facilitatorAddress
        return typeof address === 'string' && addressPattern.test(address) ? address : undefined
      } catch (error) {
        if (supported === answer) supported = undefined
        throw error
      }
    },
  }
}
