import { expect, test } from 'vitest'
import { paymentRequired, signer, success, transaction, usdcUnits } from '../test/fixtures.js'
import { createPayer } from './createPayer.js'
import { PolicyRefusedError } from './errors/policy.js'
import { PurchaseIndeterminateError } from './errors/purchase.js'
import { createPolicy } from './policy/createPolicy.js'
import { createMemoryReceiptLog } from './receipts/receiptLog.js'

// The payer driven as a transport that is not HTTP drives it (an MCP client: the challenge comes
// in a tool result, the payment goes in `_meta`, the settlement comes back in the result's
// `_meta`): nothing here speaks HTTP. Paying over HTTP, and on a chain, is tested through
// `@tollgate/fetch` and in `test/e2e`.

const url = 'https://tools.example.com/mcp'
const source = { url: new URL(url), method: 'tools/call' }

test('pays a challenge: the policy decides, the account signs, the answer settles it', async () => {
  const { account, signatures } = signer()
  const policy = createPolicy({ budgets: [{ limit: usdcUnits(30_000n) }] })
  const log = createMemoryReceiptLog()
  const payer = createPayer({ account, policy, receipts: log, reconcile: false })

  const receipt = await payer.call(undefined, async (call) => {
    expect(await call.retry()).toBeUndefined()
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    expect(attempt.resent).toBe(false)
    expect(attempt.url).toBe(url)
    expect(attempt.payload).toMatchObject({ x402Version: 2, resource: { url } })
    expect(attempt.receipt.status).toBe('indeterminate')
    // Money is held from the decision, before the payment leaves.
    expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 10_000n })
    return attempt.answered({ status: 200, settlement: success(account.address) })
  })
  expect(receipt).toMatchObject({
    status: 'settled',
    method: 'tools/call',
    url,
    transaction,
    responseStatus: 200,
    amount: 10_000n,
  })
  expect(signatures()).toBe(1)
  expect(policy.usage()[0]).toMatchObject({ committed: 10_000n, reserved: 0n })
  expect(await log.list()).toEqual([receipt])
})

test('a purchase is paid once: its retry hands out the same payload, and its record is written ahead', async () => {
  const { account, signatures } = signer()
  const policy = createPolicy({ budgets: [{ limit: usdcUnits(30_000n) }] })
  const log = createMemoryReceiptLog()
  const payer = createPayer({ account, policy, receipts: log, reconcile: false })
  const purchase = {
    id: 'tool-call-0001',
    paymentId: 'tool-call-0001',
    source: 'purchase.id',
  } as const

  const first = await payer.call(purchase, async (call) => {
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    // On the log before the payment is handed to the transport.
    expect(await log.list()).toEqual([attempt.receipt])
    // The tool answered with an error and no settlement: it may have been charged.
    await attempt.answered({ status: 500, settlement: { present: false } })
    return attempt
  })
  expect(first.receipt).toMatchObject({ status: 'indeterminate', disputed: 'settlement-missing' })

  const second = await payer.call(purchase, async (call) => {
    // A challenge again (the transport did not skip it): still the same payment, not a new one.
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    expect(attempt.resent).toBe(true)
    expect(attempt.payload).toEqual(first.payload)
    await attempt.answered({ status: 200, settlement: success(account.address) })
    return attempt
  })
  expect(second.receipt).toMatchObject({ status: 'settled', purchase: purchase.id })
  expect(second.receipt.id).toBe(first.receipt.id)
  expect(signatures()).toBe(1)
  expect(policy.usage()[0]).toMatchObject({ committed: 10_000n, reserved: 0n })
  expect(await payer.purchases.get(purchase.id)).toEqual(second.receipt)
})

test('a payment that never left is refused and its money given back; the purchase signs anew', async () => {
  const { account, signatures } = signer()
  const policy = createPolicy({ budgets: [{ limit: usdcUnits(10_000n) }] })
  const payer = createPayer({ account, policy, reconcile: false })
  const purchase = {
    id: 'tool-call-0002',
    paymentId: 'tool-call-0002',
    source: 'purchase.id',
  } as const
  const refused = await payer.call(purchase, async (call) => {
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    return attempt.notSent()
  })
  expect(refused).toMatchObject({ status: 'refused', responseStatus: undefined })
  expect(policy.usage()[0]).toMatchObject({ committed: 0n, reserved: 0n })
  const retried = await payer.call(purchase, async (call) => {
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    expect(attempt.resent).toBe(false)
    return attempt.lost()
  })
  expect(retried).toMatchObject({
    status: 'indeterminate',
    disputed: 'no-response',
    resigned: 'never-sent',
  })
  expect(signatures()).toBe(2)
  expect(policy.usage()[0]).toMatchObject({ reserved: 10_000n })
})

test('one call pays once: a second payment is refused while the first may have been spent', async () => {
  const { account, signatures } = signer()
  const payer = createPayer({ account, reconcile: false })
  await payer.call(undefined, async (call) => {
    const attempt = await call.pay({ paymentRequired: paymentRequired(url), source })
    await attempt.answered({ status: 402, settlement: { present: false } })
    expect(attempt.receipt.status).toBe('indeterminate')
    await expect(
      call.pay({ paymentRequired: paymentRequired(url), source }),
    ).rejects.toBeInstanceOf(PurchaseIndeterminateError)
  })
  expect(signatures()).toBe(1)
})

test('the policy refuses before anything is signed, whatever the transport', async () => {
  const { account, signatures } = signer()
  const payer = createPayer({ account, policy: { maxPerRequest: '$0.001' }, reconcile: false })
  const error = await payer
    .call(undefined, (call) => call.pay({ paymentRequired: paymentRequired(url), source }))
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(PolicyRefusedError)
  expect(error).toMatchObject({ guard: 'maxPerRequest' })
  expect(signatures()).toBe(0)
  // An http URL that is not loopback is refused too: the rule reads the source's URL.
  const plain = { url: new URL('http://tools.example.com/mcp'), method: 'tools/call' }
  await expect(
    payer.call(undefined, (call) =>
      call.pay({ paymentRequired: paymentRequired(plain.url.href), source: plain }),
    ),
  ).rejects.toMatchObject({ guard: 'https' })
})
