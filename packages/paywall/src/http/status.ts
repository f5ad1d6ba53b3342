import type { PaywallFailureKind } from '../failures.js'

/** The HTTP status of each kind of paywall answer: chosen here, and nowhere else. */
export function statusOf(kind: PaywallFailureKind): number {
  switch (kind) {
    case 'payment_required':
    case 'settlement_failed':
      return 402
    case 'precondition_required':
      return 412
    case 'idempotency_conflict':
      return 409
    case 'bad_request':
      return 400
    case 'facilitator_error':
      return 502
    case 'facilitator_unavailable':
    case 'store_unavailable':
      return 503
    case 'server_error':
      return 500
  }
}
