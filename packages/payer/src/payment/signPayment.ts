import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
} from '@tollgate/core'
import { paymentIdentifierKey } from '@tollgate/core'
import type { Asset, AuthorizationSigner } from '@tollgate/evm'
import { createPaymentPayload } from '@tollgate/evm'
import type { Challenge } from '../policy/candidate.js'
import type { PaymentDecision } from '../policy/policyState.js'
import type { PurchaseIdentity } from '../purchases/purchaseIdentity.js'

export type SignPaymentParameters = {
  readonly challenge: Challenge
  readonly decision: PaymentDecision
  readonly identity: PurchaseIdentity | undefined
  readonly assets: readonly Asset[]
  /** The policy's clock (ms): `validAfter`/`validBefore` are counted from it. */
  readonly now: () => number
}

/**
 * Signs the chosen option. The authorization is valid for the policy's lifetime at most, whatever
 * the server asked; `accepted` still echoes the server's requirement verbatim. A purchase's id
 * goes into the `payment-identifier` extension when the server declares it.
 */
export async function signPayment(
  account: AuthorizationSigner,
  { challenge, decision, identity, assets, now }: SignPaymentParameters,
): Promise<{ signed: PaymentPayload | PaymentPayloadV1; paymentId: string | undefined }> {
  const { candidate, validForSeconds } = decision
  if (challenge.x402Version === 1) {
    const original = candidate.original as PaymentRequirementsV1
    const signed = await createPaymentPayload(account, {
      paymentRequired: challenge.paymentRequired,
      requirements: { ...original, maxTimeoutSeconds: validForSeconds },
      assets,
      now,
    })
    return { signed, paymentId: undefined }
  }
  const original = candidate.original as PaymentRequirements
  const declared = challenge.paymentRequired.extensions?.[paymentIdentifierKey] as
    | { info?: Record<string, unknown> }
    | undefined
  const paymentId = identity && declared ? identity.paymentId : undefined
  const signed = await createPaymentPayload(account, {
    paymentRequired: challenge.paymentRequired,
    requirements: { ...original, maxTimeoutSeconds: validForSeconds },
    assets,
    now,
    ...(paymentId !== undefined
      ? {
          extensions: {
            [paymentIdentifierKey]: { ...declared, info: { ...declared?.info, id: paymentId } },
          },
        }
      : {}),
  })
  return { signed: { ...signed, accepted: original }, paymentId }
}
