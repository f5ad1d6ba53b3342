import { type SupportedResponse, supportedResponseSchema } from '../schemas/v2.js'
import type {
  CreateHttpFacilitatorClientParameters,
  FacilitatorRequest,
} from './createHttpFacilitatorClient.js'
import type { FacilitatorCall } from './facilitatorCall.js'
import { findSupportedKind, readSettlementModes, type SettlementMode } from './settlement.js'

/** `/supported`, and whether a settle call carries its mode (`sendSettlementMode`). */
export type SettlementModeSupport = {
  /** Reads `/supported`; a successful answer is kept for {@link SettlementModeSupport.sendsMode}. */
  supported(): Promise<SupportedResponse>
  /** Whether a `/settle` of `request` in `settlement` mode carries the mode in its body. */
  sendsMode(request: FacilitatorRequest, settlement: SettlementMode): Promise<boolean>
}

/**
 * With `'auto'`, a settle call carries its mode when the facilitator's `/supported` lists that
 * mode for the payment's kind: what a facilitator honours does not change while it runs, so the
 * last successful answer is kept (read again only after a failed read).
 */
export function createSettlementModeSupport(
  call: FacilitatorCall,
  option: CreateHttpFacilitatorClientParameters['sendSettlementMode'] = 'auto',
): SettlementModeSupport {
  let kept: Promise<SupportedResponse> | undefined
  function supported(): Promise<SupportedResponse> {
    const answer = call('supported', supportedResponseSchema, undefined)
    answer.then(
      () => {
        kept = answer
      },
      () => {},
    )
    return answer
  }
  function known(): Promise<SupportedResponse> {
    if (!kept) {
      const answer = supported()
      kept = answer
      answer.catch(() => {
        if (kept === answer) kept = undefined
      })
    }
    return kept
  }
  return {
    supported,
    async sendsMode({ paymentPayload, paymentRequirements }, settlement) {
      if (option !== 'auto') return option
      const kind = findSupportedKind(await known(), {
        x402Version: paymentPayload.x402Version,
        scheme: paymentRequirements.scheme,
        network: paymentRequirements.network,
      })
      return kind !== undefined && (readSettlementModes(kind)?.includes(settlement) ?? false)
    },
  }
}
