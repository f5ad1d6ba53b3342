import type { PaymentPayload, PaymentPayloadV1 } from '@tollgate/core'
import { encodePaymentSignatureHeader, encodeXPaymentHeader, headerNames } from '@tollgate/core'

/** The header that carries a signed payment: `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1). */
export function paymentHeader(signed: PaymentPayload | PaymentPayloadV1): Record<string, string> {
  return signed.x402Version === 1
    ? { [headerNames.xPayment]: encodeXPaymentHeader(signed) }
    : { [headerNames.paymentSignature]: encodePaymentSignatureHeader(signed) }
}
