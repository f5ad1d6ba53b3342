import type { SettleResponse } from '@tollgate/core'
import { settleResponseSchema } from '@tollgate/core'

/**
 * The settlement an answer to a payment carried, as the transport decoded it: none, a
 * `SettleResponse`, or something that does not decode (HTTP: the `PAYMENT-RESPONSE` header; MCP:
 * `_meta["x402/payment-response"]`; A2A: the `x402.payment.receipts` metadata).
 */
export type SettlementReading =
  | { readonly present: false }
  | { readonly present: true; readonly response: SettleResponse }
  | { readonly present: true; readonly response: undefined; readonly error: unknown }

/**
 * Reads a settlement a transport carries as a JSON value (an MCP result's
 * `_meta["x402/payment-response"]`): `undefined` or `null` is none, a valid `SettleResponse` is
 * one, anything else is unreadable (and the payment it answers is disputed).
 *
 * @example
 * const settlement = readSettlementValue(result._meta?.['x402/payment-response'])
 * await attempt.answered({ status: result.isError ? 500 : 200, settlement })
 */
export function readSettlementValue(value: unknown): SettlementReading {
  if (value === undefined || value === null) return { present: false }
  const parsed = settleResponseSchema.safeParse(value)
  if (parsed.success) return { present: true, response: parsed.data as SettleResponse }
  return { present: true, response: undefined, error: parsed.error }
}
