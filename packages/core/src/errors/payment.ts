import { BaseError } from './base.js'

/** The type of {@link PaymentVerificationError}. */
export type PaymentVerificationErrorType = PaymentVerificationError & {
  name: 'PaymentVerificationError'
}

/** A payment did not verify; `reason` is the wire reason string, passed on unchanged. */
export class PaymentVerificationError extends BaseError {
  override name = 'PaymentVerificationError' as const
  /** The wire reason (`invalidReason`), e.g. `invalid_exact_evm_signature`. */
  reason: string
  /** The facilitator's human-readable message, when it gave one. */
  invalidMessage: string | undefined
  /** The payer's address, when known. */
  payer: string | undefined

  constructor({
    reason,
    message,
    payer,
    cause,
  }: {
    reason: string
    message?: string | null | undefined
    payer?: string | null | undefined
    cause?: unknown
  }) {
    super(`Payment verification failed: ${reason}.`, {
      code: 'TOLLGATE_PAYMENT_INVALID',
      cause,
      metaMessages: [
        ...(message ? [`Message: ${message}`] : []),
        ...(payer ? [`Payer: ${payer}`] : []),
      ],
    })
    this.reason = reason
    this.invalidMessage = message ?? undefined
    this.payer = payer ?? undefined
  }
}

/** The type of {@link PaymentSettlementError}. */
export type PaymentSettlementErrorType = PaymentSettlementError & {
  name: 'PaymentSettlementError'
}

/** A payment did not settle; `reason` is the wire reason string (`errorReason`), unchanged. */
export class PaymentSettlementError extends BaseError {
  override name = 'PaymentSettlementError' as const
  /** The wire reason (`errorReason`), e.g. `invalid_exact_evm_transaction_failed`. */
  reason: string
  /** The transaction hash, when one was broadcast (`settlement_pending` carries one). */
  transaction: string | undefined

  constructor({
    reason,
    message,
    transaction,
    cause,
  }: {
    reason: string
    message?: string | null | undefined
    transaction?: string | null | undefined
    cause?: unknown
  }) {
    super(`Payment settlement failed: ${reason}.`, {
      code: 'TOLLGATE_PAYMENT_SETTLEMENT',
      cause,
      metaMessages: [
        ...(message ? [`Message: ${message}`] : []),
        ...(transaction ? [`Transaction: ${transaction}`] : []),
      ],
    })
    this.reason = reason
    this.transaction = transaction || undefined
  }
}
