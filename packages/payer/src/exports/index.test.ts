import { expect, test } from 'vitest'
import * as payer from './index.js'

test('exports', () => {
  expect(Object.keys(payer).sort()).toMatchInlineSnapshot(`
    [
      "BudgetExceededError",
      "InvalidChallengeError",
      "InvalidPolicyError",
      "InvalidPurchaseError",
      "InvalidReceiptError",
      "InvalidReceiptLogError",
      "PolicyRefusedError",
      "PurchaseIndeterminateError",
      "PurchaseNotFoundError",
      "RateLimitedError",
      "createMemoryReceiptLog",
      "createPayer",
      "createPolicy",
      "defaultBudgets",
      "diagnosticChannels",
      "isPolicy",
      "listPurchases",
      "parseReceipt",
      "readSettlementValue",
      "resolvePurchase",
      "serializeReceipt",
      "toPaymentId",
    ]
  `)
})
