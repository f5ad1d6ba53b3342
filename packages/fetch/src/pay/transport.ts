import type { Payer } from '@tollgate/payer'
import type { ChallengeCache } from '../challengeCache.js'
import type { Send } from './followRedirect.js'

/** What the HTTP transport holds: the payer it drives, the fetch it sends with, and its cache. */
export type FetchTransport = {
  readonly payer: Payer
  readonly send: Send
  /** Challenges remembered for pre-emptive payment; `undefined` when that is off. */
  readonly cache: ChallengeCache | undefined
  readonly maxBufferedBodyBytes: number
}
