import {
  type ExactEvmPayload,
  equalByContent,
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  toCaip2,
} from '@tollgate/core'
import { paywallReasons } from '../reasons.js'
import { isRejection, type Payment, type PaymentRejection, rejectPayment } from './parsePayment.js'

// The decode-check stage: which of the offer's requirements a payment is paying, before anything
// is verified. v2 names it (`accepted`, equal by content); v1 does not, so it is found by scheme,
// network, payee and exact amount.

/** The network in CAIP-2 form, or the input when it is not a network we know. */
function normaliseNetwork(network: string): string {
  try {
    return toCaip2(network)
  } catch {
    return network
  }
}

/** Explains why no requirement matched: the scheme, then the network, then the content. */
function explainMismatch(
  scheme: string,
  network: string,
  accepts: readonly PaymentRequirements[],
): PaymentRejection {
  if (!accepts.some((requirement) => requirement.scheme === scheme))
    return rejectPayment(
      paywallReasons.unsupportedScheme,
      `Scheme "${scheme}" is not accepted here.`,
    )
  const caip2 = normaliseNetwork(network)
  if (!accepts.some((requirement) => requirement.network === caip2))
    return rejectPayment(
      paywallReasons.invalidNetwork,
      `Network "${network}" is not accepted here.`,
    )
  return rejectPayment(
    paywallReasons.noMatchingRequirements,
    'The payment does not match any of the payment requirements of this resource.',
  )
}

/**
 * The requirement a v2 payload accepted: the one equal to `accepted` by content (sorted-key deep
 * equality over every field, `extra` included), as the reference's `findMatchingRequirements`.
 */
export function matchAccepted(
  payload: PaymentPayload,
  accepts: readonly PaymentRequirements[],
): PaymentRequirements | PaymentRejection {
  const found = accepts.find((requirement) => equalByContent(requirement, payload.accepted))
  return found ?? explainMismatch(payload.accepted.scheme, payload.accepted.network, accepts)
}

/**
 * The requirements a v1 payload may be paying (a v1 payload has no `accepted`): same scheme,
 * network, payee and exact amount. Several remain only when options differ by asset alone; the
 * signature's domain decides between them at verification.
 */
export function matchV1(
  payload: PaymentPayloadV1,
  authorization: ExactEvmPayload,
  accepts: readonly PaymentRequirements[],
): PaymentRequirements[] | PaymentRejection {
  const network = normaliseNetwork(payload.network)
  const { to, value } = authorization.authorization
  const found = accepts.filter(
    (requirement) =>
      requirement.scheme === payload.scheme &&
      requirement.network === network &&
      requirement.payTo.toLowerCase() === to.toLowerCase() &&
      requirement.amount === value,
  )
  return found.length > 0 ? found : explainMismatch(payload.scheme, payload.network, accepts)
}

/** At least one requirement. */
export type Candidates = readonly [PaymentRequirements, ...PaymentRequirements[]]

/** The requirements a payment of either version may be paying (at least one), or why none. */
export function matchPayment(
  payment: Payment,
  accepts: readonly PaymentRequirements[],
): Candidates | PaymentRejection {
  if (payment.x402Version === 2) {
    const matched = matchAccepted(payment.payload, accepts)
    return isRejection(matched) ? matched : [matched]
  }
  const matched = matchV1(payment.payload, payment.authorization, accepts)
  if (isRejection(matched)) return matched
  // `matchV1` answers a rejection rather than an empty list.
  const [first, ...rest] = matched
  return [first!, ...rest]
}
