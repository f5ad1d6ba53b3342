import { BaseError } from '@tollgate/core'

/** The type of {@link InvalidTransitionError}. */
export type InvalidTransitionErrorType = InvalidTransitionError & { name: 'InvalidTransitionError' }

/** A ledger transition the settlement state machine does not allow (a bug in the caller). */
export class InvalidTransitionError extends BaseError {
  override name = 'InvalidTransitionError' as const

  constructor({ from, to }: { from: string; to: string }) {
    super(`The settlement state machine does not allow "${from}" -> "${to}".`, {
      code: 'TOLLGATE_LEDGER_TRANSITION',
      metaMessages: [`From: ${from}`, `To: ${to}`],
    })
  }
}

/** The type of {@link LedgerDriverError}. */
export type LedgerDriverErrorType = LedgerDriverError & { name: 'LedgerDriverError' }

/** The database driver of a ledger is not installed. */
export class LedgerDriverError extends BaseError {
  override name = 'LedgerDriverError' as const

  constructor({ driver, cause }: { driver: string; cause?: unknown }) {
    super(`The ledger needs the "${driver}" package: install it beside @tollgate/facilitator.`, {
      code: 'TOLLGATE_LEDGER_DRIVER',
      cause,
    })
  }
}

/** The type of {@link FacilitatorConfigError}. */
export type FacilitatorConfigErrorType = FacilitatorConfigError & {
  name: 'FacilitatorConfigError'
}

/** The facilitator's configuration is unusable (no signer, a chain without an RPC URL, ...). */
export class FacilitatorConfigError extends BaseError {
  override name = 'FacilitatorConfigError' as const

  constructor(
    shortMessage: string,
    { metaMessages }: { metaMessages?: string[] | undefined } = {},
  ) {
    super(shortMessage, { code: 'TOLLGATE_FACILITATOR_CONFIG', metaMessages })
  }
}
