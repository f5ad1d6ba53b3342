import {
  type PaymentRequired,
  type PaymentRequiredV1,
  requirementsToV1,
  type SettleResponse,
  toV1Network,
} from '@tollgate/core'

/** The x402 version of the objects a task carries: a payment's own, or the challenge's. */
export type WireVersion = 1 | 2

/**
 * The `x402.payment.required` object in the version the client speaks: the engine's v2
 * challenge, or its v1 form (`maxAmountRequired`, v1 network names, the resource per
 * requirement). `withError: false` leaves out `error`, as the spec's first challenge does.
 */
export function toWireChallenge(
  paymentRequired: PaymentRequired,
  {
    version,
    outputSchema,
    withError,
  }: {
    version: WireVersion
    outputSchema: Record<string, unknown> | undefined
    withError: boolean
  },
): PaymentRequired | PaymentRequiredV1 {
  if (version === 2) {
    const { error: _dropped, ...withoutError } = paymentRequired
    return withError ? paymentRequired : (withoutError as PaymentRequired)
  }
  const { error, resource, accepts, extensions } = paymentRequired
  const v1: PaymentRequiredV1 = {
    x402Version: 1,
    ...(withError && error ? { error } : {}),
    accepts: accepts.map((requirement) => {
      const converted = requirementsToV1(requirement, resource)
      return outputSchema ? { ...converted, outputSchema } : converted
    }),
    // The agent identity (`erc8004`) travels in v1 too; the payment identifier is v2 only.
    ...(extensions && 'erc8004' in extensions
      ? { extensions: { erc8004: extensions.erc8004 } }
      : {}),
  }
  return v1
}

/**
 * A settlement as an entry of `x402.payment.receipts`: the facilitator's `SettleResponse`, its
 * network in the client's version (v1 names such as `base`).
 */
export function toWireReceipt(settlement: SettleResponse, version: WireVersion): SettleResponse {
  if (version === 2) return settlement
  return { ...settlement, network: toV1Network(settlement.network) ?? settlement.network }
}
