import type { PaymentRequired, PaymentRequiredV1 } from '@tollgate/core'
import type { SignAuthorizationErrorType } from '@tollgate/evm'
import type { InvalidChallengeError } from '../errors/challenge.js'
import type {
  BudgetExceededError,
  InvalidPolicyError,
  PolicyRefusedError,
  RateLimitedError,
} from '../errors/policy.js'
import { PurchaseIndeterminateError } from '../errors/purchase.js'
import type { Challenge } from '../policy/candidate.js'
import type { PurchaseIdentity } from '../purchases/purchaseIdentity.js'
import type { ResignReason } from '../receipts/receipt.js'
import type { Attempt } from './attempt.js'
import type { PayerContext } from './context.js'
import type { PaymentSource } from './newPayment.js'
import { signNewPayment } from './newPayment.js'
import { resendPayment } from './resendPayment.js'
import { planRetry } from './resign.js'

/** A challenge to pay, and where it came from. */
export type PayParameters = {
  /** The server's challenge as the transport decoded it: a v2 `PaymentRequired` or a v1 body. */
  readonly paymentRequired: PaymentRequired | PaymentRequiredV1
  readonly source: PaymentSource
  /**
   * Paid ahead of a challenge, from one the transport remembered.
   * @default false
   */
  readonly preemptive?: boolean | undefined
}

/** One call through a payer (see `Payer.call`): what it pays, and how. */
export type PayerCall = {
  /** The purchase the call is, if it is one. */
  readonly purchase: PurchaseIdentity | undefined
  /**
   * For a purchase paid before whose authorization may still be spent: that payment, to send
   * again before any challenge (the same bytes). `undefined` when the call needs a challenge to
   * pay (an unnamed call, a new purchase, or one whose authorization can no longer be spent).
   * Throws `PurchaseIndeterminateError` for a purchase that may be paid and cannot be re-sent.
   */
  retry(): Promise<Attempt | undefined>
  /**
   * The payment to send for a challenge: a new one, under the policy (which may refuse it before
   * anything is signed), or, for a purchase whose authorization may still be spent, that one
   * again. Within one call a second payment is made only after the first was proven refused.
   */
  pay(parameters: PayParameters): Promise<Attempt>
}

/** Creates the handle of one call; a named purchase's calls run one at a time (`Payer.call`). */
export function createCall(ctx: PayerContext, identity: PurchaseIdentity | undefined): PayerCall {
  const attempts: Attempt[] = []
  let planned = false
  let resigned: ResignReason | undefined

  async function retry(): Promise<Attempt | undefined> {
    if (!identity || planned) return undefined
    planned = true
    const plan = await planRetry(ctx, identity)
    if (plan.kind === 'sign') {
      resigned = plan.resigned
      return undefined
    }
    const attempt = resendPayment(ctx, plan.entry)
    attempts.push(attempt)
    return attempt
  }

  async function pay({ paymentRequired, source, preemptive = false }: PayParameters) {
    const last = attempts.at(-1)
    // One purchase, one payment: another is signed only once the last is proven not charged.
    if (last && last.receipt.status !== 'refused')
      throw new PurchaseIndeterminateError({
        purchase: identity?.id ?? last.receipt.id,
        reason: 'a payment of this call may have been spent',
      })
    if (!last) {
      const resend = await retry()
      if (resend) return resend
    }
    const challenge = { x402Version: paymentRequired.x402Version, paymentRequired } as Challenge
    const attempt = await signNewPayment(ctx, {
      challenge,
      source,
      identity,
      resigned,
      preemptive,
    })
    attempts.push(attempt)
    return attempt
  }

  return { purchase: identity, retry, pay }
}

/**
 * What `call.pay` and `call.retry` reject with: a refusal before anything is signed, a challenge
 * without an option, a purchase that may be paid and cannot be re-sent, a record that cannot be
 * written ahead, or the signer's failure.
 */
export type PayErrorType =
  | PolicyRefusedError
  | BudgetExceededError
  | RateLimitedError
  | InvalidPolicyError
  | InvalidChallengeError
  | PurchaseIndeterminateError
  | SignAuthorizationErrorType
