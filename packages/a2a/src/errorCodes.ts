import { reasons } from '@tollgate/core'

// The `x402.payment.error` codes. The spec lists common ones; a payment that fails for a reason
// they do not cover gets one of Tollgate's (the x402 reason itself travels in the receipt's
// `errorReason` and the status message's text, unchanged).

/** The spec's common error codes, and Tollgate's for what they do not cover. */
export const x402ErrorCodes = {
  insufficientFunds: 'INSUFFICIENT_FUNDS',
  invalidSignature: 'INVALID_SIGNATURE',
  expiredPayment: 'EXPIRED_PAYMENT',
  duplicateNonce: 'DUPLICATE_NONCE',
  networkMismatch: 'NETWORK_MISMATCH',
  invalidAmount: 'INVALID_AMOUNT',
  settlementFailed: 'SETTLEMENT_FAILED',
  /** Tollgate: the payload cannot be read, or pays for none of the offered requirements. */
  invalidPayload: 'INVALID_PAYLOAD',
  /** Tollgate: the settlement is not confirmed yet; sending the same payment again finishes it. */
  settlementPending: 'SETTLEMENT_PENDING',
  /** Tollgate: the facilitator or the merchant's store could not be reached; nothing was charged. */
  paymentUnavailable: 'PAYMENT_UNAVAILABLE',
  /** Tollgate: the skill failed after the payment verified; nothing was charged. */
  serviceFailed: 'SERVICE_FAILED',
} as const

/** A value of `x402.payment.error`. */
export type X402ErrorCode = (typeof x402ErrorCodes)[keyof typeof x402ErrorCodes]

// Reason fragments in the reference's spellings, in the order they are tried.
const byFragment: readonly [RegExp, X402ErrorCode][] = [
  [/insufficient/, x402ErrorCodes.insufficientFunds],
  [/nonce|duplicate/, x402ErrorCodes.duplicateNonce],
  [/valid_before|valid_after|expired|deadline/, x402ErrorCodes.expiredPayment],
  [/signature/, x402ErrorCodes.invalidSignature],
  [/network/, x402ErrorCodes.networkMismatch],
  [/value|amount/, x402ErrorCodes.invalidAmount],
]

/**
 * The spec's error code for an x402 reason (`invalid_exact_evm_payload_signature` is
 * `INVALID_SIGNATURE`); a reason none covers is `SETTLEMENT_FAILED` when it came from settling,
 * else `INVALID_PAYLOAD`.
 */
export function toX402ErrorCode(reason: string, stage: 'verify' | 'settle'): X402ErrorCode {
  if (reason === reasons.settlementPending) return x402ErrorCodes.settlementPending
  for (const [fragment, code] of byFragment) if (fragment.test(reason)) return code
  return stage === 'settle' ? x402ErrorCodes.settlementFailed : x402ErrorCodes.invalidPayload
}
