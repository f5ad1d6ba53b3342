import { type Payment, type PaymentRejection, parsePayment } from '@tollgate/paywall'

/**
 * Reads the `x402.payment.payload` a message carries. npm `a2a-x402` 0.0.5 (the community port of
 * the Python reference) writes the authorization's `validAfter` and `validBefore` as JSON
 * numbers where x402 has decimal strings; a safe integer there is read as its decimal string,
 * which is the same signed value. Anything else is left for the schema to refuse.
 */
export function readPayment(value: unknown): Payment | PaymentRejection {
  return parsePayment(withDecimalTimes(value))
}

function withDecimalTimes(value: unknown): unknown {
  const payload = (value as { payload?: { authorization?: Record<string, unknown> } } | null)
    ?.payload
  const authorization = payload?.authorization
  if (typeof authorization !== 'object' || authorization === null) return value
  const fixed: Record<string, unknown> = { ...authorization }
  let changed = false
  for (const field of ['validAfter', 'validBefore'] as const) {
    const time = fixed[field]
    if (typeof time === 'number' && Number.isSafeInteger(time) && time >= 0) {
      fixed[field] = String(time)
      changed = true
    }
  }
  if (!changed) return value
  return {
    ...(value as Record<string, unknown>),
    payload: { ...payload, authorization: fixed },
  }
}

/** The network a payment is for (v2 `accepted.network`, v1 `network`). */
export function paymentNetwork(payment: Payment | PaymentRejection): string {
  if (!('x402Version' in payment)) return ''
  return payment.x402Version === 2 ? payment.payload.accepted.network : payment.payload.network
}
