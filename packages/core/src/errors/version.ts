import { BaseError, formatValue } from './base.js'

/** The type of {@link PaymentRequiredNotFoundError}. */
export type PaymentRequiredNotFoundErrorType = PaymentRequiredNotFoundError & {
  name: 'PaymentRequiredNotFoundError'
}

/** A 402 response carries neither a `PAYMENT-REQUIRED` header nor an x402 v1 JSON body. */
export class PaymentRequiredNotFoundError extends BaseError {
  override name = 'PaymentRequiredNotFoundError' as const

  constructor() {
    super('The response carries no x402 payment requirements.', {
      code: 'TOLLGATE_PAYMENT_REQUIRED_MISSING',
      metaMessages: ['Expected a PAYMENT-REQUIRED header (v2) or a JSON body with x402Version 1.'],
    })
  }
}

/** The type of {@link UnsupportedX402VersionError}. */
export type UnsupportedX402VersionErrorType = UnsupportedX402VersionError & {
  name: 'UnsupportedX402VersionError'
}

/** A message names an x402 version this package does not speak. */
export class UnsupportedX402VersionError extends BaseError {
  override name = 'UnsupportedX402VersionError' as const
  /** The version found (as given). */
  version: unknown

  constructor({ version }: { version: unknown }) {
    super(`x402 version ${formatValue(version, 20)} is not supported.`, {
      code: 'TOLLGATE_X402_VERSION',
      metaMessages: ['Supported versions: 1 (JSON body), 2 (PAYMENT-REQUIRED header).'],
    })
    this.version = version
  }
}
