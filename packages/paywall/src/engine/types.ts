import type { PaymentRequired, SettleResponse } from '@tollgate/core'
import type { PaywallFailureKind } from '../failures.js'
import type { FailureStage } from '../hooks.js'
import type { ResolvedOffer } from '../offer/resolveOffer.js'
import type { Payment, PaymentRejection } from '../payment/parsePayment.js'

/** The work's result, held back until the paywall decides whether it goes out. */
export type Held<result> = {
  /** The work succeeded (HTTP: a status below 400; MCP: a result that is not `isError`). */
  ok: boolean
  /** The caller went away before the work finished: nothing is delivered. */
  aborted?: boolean | undefined
  /** The transport's status of the result, reported in failed events (HTTP: the status code). */
  status?: number | undefined
  /** What to send, keep or discard. */
  result: result
  /**
   * What the work reports it used, for an `upto` offer: atomic units (`"1234"`), a share of the
   * maximum (`"50%"`, floored) or whole units (`"$0.05"`), the forms of the reference's
   * `Settlement-Overrides`. The settle stage charges it, never above the signed maximum; `"0"`
   * charges nothing. Unset, the whole maximum is charged (as the reference does).
   */
  charge?: string | undefined
}

/**
 * How a transport's results are kept in the store (for payment-identifier replays and pending
 * settlements, possibly read back by another process): `keep` gives a JSON-safe value, `restore`
 * the result again. An HTTP response keeps its status, headers and body (as base64).
 */
export type ResultCodec<result> = {
  keep(result: result): unknown
  restore(value: unknown): result
}

/** A paid call as a transport describes it; the engine answers with an {@link Outcome}. */
export type PaidCall<request, result> = {
  /** What is bought: one of the engine's `offers`. */
  offer: ResolvedOffer<request>
  /** The transport's view of the call, handed to price functions and hooks. */
  request: request
  /** The resource URL of the challenge (the offer's `resource` overrides it). */
  resource: string
  /**
   * The payment the call carries, decoded by the transport from its wire (a header, an MCP
   * `_meta` object) with `parsePayment`; its rejection when it could not be read; `undefined`
   * when there is none.
   */
  payment: Payment | PaymentRejection | undefined
  /** Runs the work with its result held back. Called at most once per call. */
  run(): Promise<Held<result>>
}

/** No usable payment: the challenge to answer with (`failure` says 402 or 412 in HTTP). */
export type PaymentRequiredOutcome = {
  kind: 'payment-required'
  failure: 'payment_required' | 'precondition_required'
  /** The v2 challenge, its `error` set to `reason`. */
  paymentRequired: PaymentRequired
  reason: string
  message: string
  /** Where a presented payment stopped; `undefined` when the call carried none. */
  stage?: FailureStage | undefined
  x402Version?: 1 | 2 | undefined
}

/** Refused without a challenge: a bad request, a conflict, a facilitator or store that failed. */
export type RefusedOutcome = {
  kind: 'refused'
  failure: Exclude<
    PaywallFailureKind,
    'payment_required' | 'precondition_required' | 'settlement_failed'
  >
  reason: string
  message: string
  stage?: FailureStage | undefined
  /** A settlement whose outcome is unknown (the facilitator failed while settling). */
  settlement?: SettleResponse | undefined
  x402Version?: 1 | 2 | undefined
  /** When the caller may try again (a facilitator or store that is unavailable). */
  retryAfterSeconds?: number | undefined
}

/** The settlement failed or is still pending: the result is withheld (and kept when pending). */
export type SettlementFailedOutcome = {
  kind: 'settlement-failed'
  failure: 'settlement_failed'
  paymentRequired: PaymentRequired
  settlement: SettleResponse
  /** Sending the same payment again delivers the kept result once it settles. */
  pending: boolean
  reason: string
  message: string
  stage: FailureStage
  x402Version: 1 | 2
}

/** Paid: send the result with the settlement attached. */
export type ServedOutcome<result> = {
  kind: 'served'
  result: result
  settlement: SettleResponse
  x402Version: 1 | 2
}

/**
 * The work failed: its own answer goes out, nothing charged; or, settle-first, charged already
 * (the settlement is attached, and the same payment runs the work again).
 */
export type NotServedOutcome<result> = {
  kind: 'not-served'
  result: result
  /** The caller went away: nothing goes out. */
  aborted: boolean
  settlement?: SettleResponse | undefined
  x402Version: 1 | 2
}

/** The same payment identifier and payload again: the kept answer. */
export type ReplayedOutcome<result> = {
  kind: 'replayed'
  result: result
  settlement: SettleResponse
  x402Version: 1 | 2
}

/** What the engine decided for a paid call; each transport renders it. */
export type Outcome<result> =
  | PaymentRequiredOutcome
  | RefusedOutcome
  | SettlementFailedOutcome
  | ServedOutcome<result>
  | NotServedOutcome<result>
  | ReplayedOutcome<result>
