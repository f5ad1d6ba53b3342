import { BaseError } from '@tollgate/core'

export type InvalidChallengeErrorType = InvalidChallengeError & { name: 'InvalidChallengeError' }

/**
 * A payment challenge (an HTTP 402, an MCP or A2A payment-required) does not parse, or offers no
 * option (the cause says why). Nothing was signed. `url` is where it came from.
 */
export class InvalidChallengeError extends BaseError {
  override name = 'InvalidChallengeError' as const
  readonly url: string

  constructor({ url, cause }: { url: string; cause: unknown }) {
    super('The server asked for payment with a challenge that does not parse.', {
      code: 'TOLLGATE_FETCH_INVALID_CHALLENGE',
      cause,
      metaMessages: [`url: ${url}`],
    })
    this.url = url
  }
}
