import { BaseError } from './base.js'

/** The type of {@link InvalidAgentReferenceError}. */
export type InvalidAgentReferenceErrorType = InvalidAgentReferenceError & {
  name: 'InvalidAgentReferenceError'
}

/** An ERC-8004 agent reference (a registry name, an agent id, a 402's `erc8004` entry) is malformed. */
export class InvalidAgentReferenceError extends BaseError {
  override name = 'InvalidAgentReferenceError' as const
  /** The value as given, as text (cut to 120 characters). */
  value: string
  /** What was expected in its place. */
  expected: string

  constructor({ value, expected }: { value: string; expected: string }) {
    const shown = value.length > 120 ? `${value.slice(0, 117)}...` : value
    super(`Expected ${expected}.`, {
      code: 'TOLLGATE_IDENTITY_INVALID_REFERENCE',
      metaMessages: [`Got: ${shown}`],
    })
    this.value = shown
    this.expected = expected
  }
}
