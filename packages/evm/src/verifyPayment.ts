import type {
  ExactEvmPayload,
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
  VerifyResponse,
} from '@tollgate/core'
import { exactEvmPayloadSchema, reasons } from '@tollgate/core'
import type { Chain, Client, Transport } from 'viem'
import { isPermit2Payload } from './permit2.js'
import {
  type VerifiableRequirements,
  type VerifyAuthorizationParameters,
  verifyAuthorization,
} from './verifyAuthorization.js'
import { verifyPermit2Authorization } from './verifyPermit2Authorization.js'

export type VerifyPaymentParameters = Omit<
  VerifyAuthorizationParameters,
  'payload' | 'requirements' | 'accepted'
> & {
  /** The payment as sent by the payer (v2 `PAYMENT-SIGNATURE` or v1 `X-PAYMENT`, decoded). */
  paymentPayload: PaymentPayload | PaymentPayloadV1
  /** The requirement the server matched it to (same x402 version). */
  paymentRequirements: PaymentRequirements | PaymentRequirementsV1
  /** `upto` only: the accounts that settle; the payer's signature must name one of them. */
  facilitators?: readonly `0x${string}`[] | undefined
  /** Simulate a Permit2 settlement as well (the reference does). @default false */
  simulatePermit2?: boolean | undefined
}

export type VerifyPaymentReturnType = VerifyResponse

/** A payment reduced to what the exact scheme checks, whatever its x402 version. */
export type NormalizedPayment = {
  x402Version: 1 | 2
  payload: ExactEvmPayload
  requirements: VerifiableRequirements
  accepted: { scheme: string; network: string }
}

/**
 * Reduces a facilitator `/verify` or `/settle` body to the exact scheme's parts, or answers the
 * reason it cannot: `invalid_x402_version` when payload and requirements are of different x402
 * versions, `unsupported_payload_type` for a Permit2 payload (not supported yet),
 * `invalid_payload` when the payload is not `{ signature, authorization }`.
 */
export function normalizePayment({
  paymentPayload,
  paymentRequirements,
}: Pick<VerifyPaymentParameters, 'paymentPayload' | 'paymentRequirements'>):
  | { ok: true; payment: NormalizedPayment }
  | { ok: false; response: VerifyResponse } {
  const inner: unknown = paymentPayload.payload
  const payer = payerOf(inner)
  const invalid = (invalidReason: string) =>
    ({
      ok: false,
      response:
        payer === undefined
          ? { isValid: false, invalidReason }
          : { isValid: false, invalidReason, payer },
    }) as const
  const requirementsV1 = 'maxAmountRequired' in paymentRequirements
  if ((paymentPayload.x402Version === 1) !== requirementsV1)
    return invalid(reasons.invalidX402Version)
  if (typeof inner === 'object' && inner !== null && 'permit2Authorization' in inner)
    return invalid(reasons.unsupportedPayloadType)
  const parsed = exactEvmPayloadSchema.safeParse(inner)
  if (!parsed.success) return invalid(reasons.invalidPayload)

  if (paymentPayload.x402Version === 1) {
    const requirements = paymentRequirements as PaymentRequirementsV1
    return {
      ok: true,
      payment: {
        x402Version: 1,
        payload: parsed.data,
        accepted: { scheme: paymentPayload.scheme, network: paymentPayload.network },
        requirements: {
          scheme: requirements.scheme,
          network: requirements.network,
          amount: requirements.maxAmountRequired,
          asset: requirements.asset,
          payTo: requirements.payTo,
          extra: requirements.extra,
        },
      },
    }
  }
  return {
    ok: true,
    payment: {
      x402Version: 2,
      payload: parsed.data,
      accepted: paymentPayload.accepted,
      requirements: paymentRequirements as PaymentRequirements,
    },
  }
}

/**
 * Verifies a facilitator `/verify` body (`paymentPayload` + `paymentRequirements`, x402 v1 or v2)
 * with {@link verifyAuthorization}, or a v2 Permit2 payload (`exact` or `upto`) with
 * `verifyPermit2Authorization`. v1 is mapped onto the v2 names (`maxAmountRequired` is the
 * amount, the payload's own scheme and network are what it accepted) and keeps the reference's v1
 * reason for a wrong value, `invalid_exact_evm_authorization_value`.
 *
 * @example
 * import { verifyPayment } from '@tollgate/evm'
 *
 * const response = await verifyPayment(publicClient, { paymentPayload, paymentRequirements })
 */
export async function verifyPayment(
  client: Client<Transport, Chain | undefined>,
  {
    paymentPayload,
    paymentRequirements,
    facilitators,
    simulatePermit2,
    ...options
  }: VerifyPaymentParameters,
): Promise<VerifyPaymentReturnType> {
  if (paymentPayload.x402Version === 2 && isPermit2Payload(paymentPayload.payload)) {
    const { authorization: _, ...response } = await verifyPermit2Authorization(client, {
      payload: paymentPayload.payload,
      requirements: paymentRequirements as PaymentRequirements,
      accepted: paymentPayload.accepted,
      now: options.now,
      facilitators,
      checks: { simulate: simulatePermit2 ?? false },
    })
    return response
  }
  const normalized = normalizePayment({ paymentPayload, paymentRequirements })
  if (!normalized.ok) return normalized.response
  const { x402Version, ...payment } = normalized.payment
  const response = await verifyAuthorization(client, { ...options, ...payment })
  if (
    x402Version === 1 &&
    response.invalidReason === reasons.invalidExactEvmPayloadAuthorizationValueMismatch
  )
    return { ...response, invalidReason: reasons.invalidExactEvmAuthorizationValue }
  return response
}

function payerOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined
  const authorization = (payload as { authorization?: unknown }).authorization
  if (typeof authorization !== 'object' || authorization === null) return undefined
  const from = (authorization as { from?: unknown }).from
  return typeof from === 'string' ? from : undefined
}
