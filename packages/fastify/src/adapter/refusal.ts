import { paywallReasons } from '@tollgate/paywall'
import type { PaywallResponse } from '@tollgate/paywall/http'

/** The 500 a paid reply gets when it cannot be held until its payment settles; nothing is charged. */
export function notHoldable(why: string): PaywallResponse {
  return {
    status: 500,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify({
      error: paywallReasons.responseNotHoldable,
      message: `The paid response cannot be held until the payment settles: ${why}. Nothing was charged.`,
    }),
  }
}
