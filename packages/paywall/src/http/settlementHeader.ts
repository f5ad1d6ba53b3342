import {
  encodePaymentResponseHeader,
  headerNames,
  type SettleResponse,
  toV1Network,
} from '@tollgate/core'
import type { ResponseHeaders } from './types.js'

/**
 * The settlement header of a payment's version: `PAYMENT-RESPONSE` (v2), or `X-PAYMENT-RESPONSE`
 * with the v1 network name (v1 clients read those).
 */
export function settlementHeaders(settlement: SettleResponse, x402Version: 1 | 2): ResponseHeaders {
  if (x402Version === 2)
    return { [headerNames.paymentResponse]: encodePaymentResponseHeader(settlement) }
  const v1 = { ...settlement, network: toV1Network(settlement.network) ?? settlement.network }
  return { [headerNames.xPaymentResponse]: encodePaymentResponseHeader(v1) }
}
