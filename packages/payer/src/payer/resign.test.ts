import { expect, test } from 'vitest'
import { receiptOf, signer } from '../../test/fixtures.js'
import { PurchaseIndeterminateError } from '../errors/purchase.js'
import type { Receipt } from '../receipts/receipt.js'
import { createPayerContext } from './createContext.js'
import { planRetry, replacement } from './resign.js'

// The re-sign rule without a chain (`reconcile: false`): what a purchase's record alone decides.
// What the chain proves (spent, unspent and expired, cancelled) is tested on a devnet in
// `test/e2e/purchases`.

/** The fixture's authorization is valid until 1_700_000_060 s. */
const signedAt = 1_700_000_000_000
const purchase = { id: 'order-1', paymentId: 'order-1', source: 'purchase.id' } as const

function contextAt(nowMs: number, latest: Receipt | undefined) {
  const { ctx } = createPayerContext({
    account: signer().account,
    policy: { now: () => nowMs },
    reconcile: false,
  })
  if (latest) ctx.book.open(purchase.id, { receipt: latest, reservation: undefined })
  return ctx
}

const named = (overrides: Partial<Receipt>) => receiptOf({ purchase: purchase.id, ...overrides })

test('an authorization that never left, or was cancelled, is replaced at once', async () => {
  const neverSent = named({ status: 'refused', responseStatus: undefined })
  expect(
    await replacement(
      contextAt(signedAt, neverSent),
      { receipt: neverSent, reservation: undefined },
      undefined,
    ),
  ).toBe('never-sent')
  const cancelled = named({ status: 'refused', cancellation: `0x${'11'.repeat(32)}` })
  expect(
    await replacement(
      contextAt(signedAt, cancelled),
      { receipt: cancelled, reservation: undefined },
      undefined,
    ),
  ).toBe('cancelled')
  expect(await planRetry(contextAt(signedAt, cancelled), purchase)).toEqual({
    kind: 'sign',
    resigned: 'cancelled',
  })
})

test('an authorization that may still be spent is re-sent, never replaced', async () => {
  // Refused after an answer (a 402, proven unspent but still valid): it may yet be spent.
  for (const latest of [
    named({ status: 'indeterminate', disputed: 'settlement-missing' }),
    named({
      status: 'refused',
      responseStatus: 402,
      reconciled: { by: 'chain', finding: 'unspent-valid', at: signedAt },
    }),
    named({ status: 'settled' }),
  ]) {
    const ctx = contextAt(signedAt + 10_000, latest)
    const plan = await planRetry(ctx, purchase)
    expect(plan).toMatchObject({ kind: 'resend', entry: { receipt: latest } })
  }
})

test('a settled purchase is re-sent even once its authorization expired: it is never paid again', async () => {
  const settled = named({ status: 'settled' })
  const plan = await planRetry(contextAt(signedAt + 3_600_000, settled), purchase)
  expect(plan).toMatchObject({ kind: 'resend' })
})

test('an expired authorization is replaced only when proven unspent; otherwise nothing is paid', async () => {
  const proven = named({
    status: 'refused',
    responseStatus: 402,
    reconciled: { by: 'chain', finding: 'unspent-expired', at: signedAt },
  })
  expect(await planRetry(contextAt(signedAt + 3_600_000, proven), purchase)).toEqual({
    kind: 'sign',
    resigned: 'expired-unspent',
  })
  // Within the resend margin (5 s left) it can no longer be re-sent safely, and no chain can tell.
  const open = named({ status: 'indeterminate', disputed: 'no-response' })
  const error = await planRetry(contextAt(signedAt + 55_000, open), purchase).catch((e) => e)
  expect(error).toBeInstanceOf(PurchaseIndeterminateError)
  expect(error).toMatchObject({
    purchase: 'order-1',
    reason:
      'its authorization expired and no chain is configured for eip155:84532 to prove it unspent',
  })
})

test('a purchase the payer never paid signs its first authorization', async () => {
  expect(await planRetry(contextAt(signedAt, undefined), purchase)).toEqual({
    kind: 'sign',
    resigned: undefined,
  })
})
