import { parsePaymentRequiredResponse } from '@tollgate/core'
import type { Challenge } from '@tollgate/payer'

/** How many distinct `PAYMENT-REQUIRED` values stay parsed; the oldest goes first. */
const maxRemembered = 64
const remembered = new Map<string, Challenge>()

/**
 * The challenge of a `PAYMENT-REQUIRED` value, parsed once per distinct value: a route answers
 * every unpaid request with the same header, and an agent paying it again and again decoded and
 * validated the same text each time. The result is shared, so it is frozen throughout. Throws as
 * `parsePaymentRequiredResponse` does; a value that does not parse is not remembered.
 */
export function parseChallengeHeader(header: string): Challenge {
  const known = remembered.get(header)
  if (known !== undefined) return known
  const challenge = freezeDeep(parsePaymentRequiredResponse({ header }))
  if (remembered.size >= maxRemembered) remembered.delete(remembered.keys().next().value!)
  remembered.set(header, challenge)
  return challenge
}

function freezeDeep<value>(root: value): value {
  // Iterative: a parsed header is at most 16 KB, but its nesting is the server's choice.
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null || Object.isFrozen(value)) continue
    Object.freeze(value)
    for (const key of Object.keys(value)) stack.push((value as Record<string, unknown>)[key])
  }
  return root
}
