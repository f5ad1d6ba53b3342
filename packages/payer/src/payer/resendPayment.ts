import type { Reservation } from '../policy/budget.js'
import type { Attempt } from './attempt.js'
import { createAttempt } from './attempt.js'
import type { BookEntry } from './book.js'
import type { PayerContext } from './context.js'

/** Standing in for the reservation of a purchase settled before: nothing left to hold. */
const settledReservation: Reservation = { commit() {}, release() {} }

/**
 * A purchase's signed authorization, to send again where it was sent: the same bytes, never a new
 * signature. Money is held again for one that was refused and is sent anew.
 */
export function resendPayment(ctx: PayerContext, entry: BookEntry): Attempt {
  const { receipt } = entry
  const wasSettled = receipt.status === 'settled'
  const heldNow = !entry.reservation && !wasSettled
  if (heldNow) entry.reservation = ctx.hold(receipt)
  return createAttempt(ctx, {
    base: receipt,
    reservation: entry.reservation ?? settledReservation,
    wasSettled,
    candidate: undefined,
    resend: { entry, heldNow },
    onRefusal: undefined,
  })
}
