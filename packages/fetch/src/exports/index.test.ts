import { expect, test } from 'vitest'
import * as fetch from './index.js'

test('exports', () => {
  expect(Object.keys(fetch).sort()).toMatchInlineSnapshot(`
    [
      "BodyNotReplayableError",
      "BudgetExceededError",
      "InvalidBodyError",
      "InvalidChallengeError",
      "InvalidPolicyError",
      "InvalidPurchaseError",
      "InvalidReceiptError",
      "InvalidReceiptLogError",
      "PolicyRefusedError",
      "PurchaseIndeterminateError",
      "PurchaseNotFoundError",
      "RateLimitedError",
      "RedirectRefusedError",
      "createMemoryReceiptLog",
      "createPolicy",
      "defaultBudgets",
      "diagnosticChannels",
      "getReceipt",
      "isPolicy",
      "listPurchases",
      "parseReceipt",
      "serializeReceipt",
      "toPaymentId",
      "wrapFetch",
    ]
  `)
})
