import type { PaymentPayload, PaymentPayloadV1 } from '@tollgate/core'
import type { SettlementReading } from '../payment/settlementReading.js'
import type { Reservation } from '../policy/budget.js'
import type { Candidate } from '../policy/candidate.js'
import type { Receipt } from '../receipts/receipt.js'
import type { BookEntry } from './book.js'
import type { PayerContext } from './context.js'
import { recordAnswer, recordLost, recordNotSent } from './recordAnswer.js'

/**
 * What came back for a payment. `status` is kept as the receipt's `responseStatus` and read as an
 * HTTP status: 2xx/3xx delivered, `402` payment required again, other 4xx/5xx not delivered. A
 * transport without statuses maps its answers onto them (an MCP tool result: 200, or 500 when
 * `isError`; a new PaymentRequired: 402).
 */
export type Answer = {
  readonly status: number
  /** The settlement the answer carried (HTTP: `PAYMENT-RESPONSE`), as the transport decoded it. */
  readonly settlement: SettlementReading
}

/**
 * One payment on its way: what to send, and the handle the transport records what happened on.
 * Exactly one of `answered`, `lost` and `notSent` is called (a second report changes nothing).
 */
export type Attempt = {
  /** The signed payment to send: for a retried purchase, the very payload it sent before. */
  readonly payload: PaymentPayload | PaymentPayloadV1
  /** Where it goes: the URL paid (a retry goes where its first payment went). */
  readonly url: string
  /** The payment's latest record: written ahead for a purchase, then its outcome. */
  readonly receipt: Receipt
  /** The option the policy chose, for a new payment; `undefined` for a re-sent one. */
  readonly candidate: Candidate | undefined
  /** A retry of a purchase sending its earlier authorization again, not a new signature. */
  readonly resent: boolean
  /** An answer came: the engine records settled, refused (proven on-chain) or indeterminate. */
  answered(answer: Answer): Promise<Receipt>
  /** The payment was sent and no answer came (a timeout, a dropped connection): it may be spent. */
  lost(): Promise<Receipt>
  /** The payment provably never left (a refused connection, a body that could not be sent). */
  notSent(): Promise<Receipt>
}

/** What an attempt knows while its outcome is recorded. */
export type AttemptState = {
  /** The record the payment left with: its write-ahead record, or the purchase's latest. */
  readonly base: Receipt
  /** The money held for it (nothing left to hold for a purchase settled before). */
  readonly reservation: Reservation
  readonly wasSettled: boolean
  readonly candidate: Candidate | undefined
  /** A re-sent authorization: its book entry, and whether this attempt held its money again. */
  readonly resend: { readonly entry: BookEntry; readonly heldNow: boolean } | undefined
  /** The server asked again (a 402): counts toward the route's 402-storm limit. */
  readonly onRefusal: (() => void) | undefined
}

/** Wraps an attempt's state in its handle; the first report wins. */
export function createAttempt(ctx: PayerContext, state: AttemptState): Attempt {
  let current = state.base
  let reported: Promise<Receipt> | undefined
  const report = (record: () => Promise<Receipt>) => {
    reported ??= record().then((receipt) => {
      current = receipt
      return receipt
    })
    return reported
  }
  return {
    payload: state.base.signed,
    url: state.base.url,
    get receipt() {
      return current
    },
    candidate: state.candidate,
    resent: state.resend !== undefined,
    answered: (answer) => report(() => recordAnswer(ctx, state, answer)),
    lost: () => report(() => recordLost(ctx, state)),
    notSent: () => report(() => recordNotSent(ctx, state)),
  }
}
