import { BaseError } from '@tollgate/core'

export type BodyNotReplayableErrorType = BodyNotReplayableError & {
  name: 'BodyNotReplayableError'
}

/**
 * The server asked for payment, but the request body was a stream too large to keep for the
 * paid retry. Nothing was signed. Raise `maxBufferedBodyBytes` or send a buffered body.
 */
export class BodyNotReplayableError extends BaseError {
  override name = 'BodyNotReplayableError' as const
  /** `maxBufferedBodyBytes`: the most a streamed body is kept in memory for. */
  readonly limit: number

  constructor({ limit }: { limit: number }) {
    super('The request body is a stream larger than the replay buffer; it cannot be paid for.', {
      code: 'TOLLGATE_FETCH_BODY_NOT_REPLAYABLE',
      metaMessages: [
        `maxBufferedBodyBytes: ${limit}`,
        "Raise wrapFetch's `maxBufferedBodyBytes`, or send a buffered body.",
      ],
    })
    this.limit = limit
  }
}

export type InvalidBodyErrorType = InvalidBodyError & { name: 'InvalidBodyError' }

/** A streamed request body yielded something that is neither bytes nor a string. */
export class InvalidBodyError extends BaseError {
  override name = 'InvalidBodyError' as const
  /** `typeof` the chunk that was yielded. */
  readonly chunkType: string

  constructor({ chunkType }: { chunkType: string }) {
    super('A request body stream must yield bytes or strings.', {
      code: 'TOLLGATE_FETCH_INVALID_BODY',
      metaMessages: [`chunk: ${chunkType}`],
    })
    this.chunkType = chunkType
  }
}

export type RedirectRefusedErrorType = RedirectRefusedError & { name: 'RedirectRefusedError' }

/**
 * A paid request was answered with a redirect and the caller's `redirect` mode is `'error'`: the
 * redirect is not followed (as fetch would reject). The payment's receipt is recorded first.
 */
export class RedirectRefusedError extends BaseError {
  override name = 'RedirectRefusedError' as const
  /** The URL that was paid and answered with the redirect. */
  readonly url: string
  /** Where the redirect pointed (`Location`). */
  readonly location: string

  constructor({ url, location }: { url: string; location: string }) {
    super(`The paid request to ${url} was redirected, and redirect is 'error'.`, {
      code: 'TOLLGATE_FETCH_REDIRECT_REFUSED',
      metaMessages: [`location: ${location}`, "Use redirect: 'follow' or 'manual' to accept it."],
    })
    this.url = url
    this.location = location
  }
}
