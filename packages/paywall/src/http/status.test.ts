import { expect, test } from 'vitest'
import type { PaywallFailureKind } from '../failures.js'
import { statusOf } from './status.js'

test('one status per kind of answer', () => {
  const kinds: PaywallFailureKind[] = [
    'payment_required',
    'precondition_required',
    'settlement_failed',
    'idempotency_conflict',
    'bad_request',
    'facilitator_error',
    'facilitator_unavailable',
    'store_unavailable',
    'server_error',
  ]
  expect(Object.fromEntries(kinds.map((kind) => [kind, statusOf(kind)]))).toEqual({
    payment_required: 402,
    precondition_required: 412,
    settlement_failed: 402,
    idempotency_conflict: 409,
    bad_request: 400,
    facilitator_error: 502,
    facilitator_unavailable: 503,
    store_unavailable: 503,
    server_error: 500,
  })
})
