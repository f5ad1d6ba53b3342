import { BaseError, formatValue } from './base.js'

/** Why an amount was rejected. */
export type InvalidMoneyReason =
  | 'empty'
  | 'not_a_number'
  | 'not_finite'
  | 'negative'
  | 'excess_decimals'
  | 'overflow'
  | 'too_long'
  | 'invalid_decimals'

/** The type of {@link InvalidMoneyError}. */
export type InvalidMoneyErrorType = InvalidMoneyError & { name: 'InvalidMoneyError' }

const messages: Record<InvalidMoneyReason, string> = {
  empty: 'Amount is empty.',
  not_a_number: 'Amount is not a decimal number.',
  not_finite: 'Amount is not finite.',
  negative: 'Amount is negative.',
  excess_decimals: 'Amount has more decimal places than the asset has decimals.',
  overflow: 'Amount is larger than a uint256.',
  too_long: 'Amount has too many characters.',
  invalid_decimals: 'Decimals must be an integer from 0 to 255.',
}

/** An amount cannot be turned into atomic units exactly (see `reason`). */
export class InvalidMoneyError extends BaseError {
  override name = 'InvalidMoneyError' as const
  /** Why the amount was rejected. */
  reason: InvalidMoneyReason

  constructor({ reason, input }: { reason: InvalidMoneyReason; input?: unknown }) {
    super(messages[reason], {
      code: 'TOLLGATE_MONEY_INVALID',
      metaMessages: input === undefined ? undefined : [`Input: ${formatValue(input)}`],
    })
    this.reason = reason
  }
}
