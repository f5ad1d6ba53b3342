// The extension's message metadata: its keys and status values exactly as the spec spells them.

/** The metadata keys of the a2a-x402 extension (`message.metadata`). */
export const x402MetadataKeys = {
  /** The payment's stage, on every x402 message. */
  status: 'x402.payment.status',
  /** The `PaymentRequired` object (standalone flow). */
  required: 'x402.payment.required',
  /** The signed `PaymentPayload` (standalone flow). */
  payload: 'x402.payment.payload',
  /** Every settlement response of the task, oldest first (the full history). */
  receipts: 'x402.payment.receipts',
  /** A short error code when the payment failed. */
  error: 'x402.payment.error',
} as const

/** The values of `x402.payment.status`. */
export const x402PaymentStatuses = [
  'payment-required',
  'payment-submitted',
  'payment-rejected',
  'payment-verified',
  'payment-completed',
  'payment-failed',
] as const

/** A value of `x402.payment.status`. */
export type X402PaymentStatus = (typeof x402PaymentStatuses)[number]

type Metadata = Record<string, unknown> | undefined

/** The `x402.payment.status` of a message's metadata, when it is one of the spec's values. */
export function readPaymentStatus(metadata: Metadata): X402PaymentStatus | undefined {
  const value = metadata?.[x402MetadataKeys.status]
  return typeof value === 'string' && (x402PaymentStatuses as readonly string[]).includes(value)
    ? (value as X402PaymentStatus)
    : undefined
}

/** The `x402.payment.receipts` of a message's metadata (an empty list when there are none). */
export function readReceiptValues(metadata: Metadata): unknown[] {
  const value = metadata?.[x402MetadataKeys.receipts]
  return Array.isArray(value) ? value : []
}
