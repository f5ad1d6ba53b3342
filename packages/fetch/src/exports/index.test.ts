import { expect, test } from 'vitest'
import * as fetch from './index.js'

test('exports', () => {
  expect(Object.keys(fetch).sort()).toMatchInlineSnapshot(`
    [
      "BodyNotReplayableError",
      "BudgetExceededError",
      "InvalidChallengeError",
      "InvalidReceiptLogError",
      "PolicyRefusedError",
      "PurchaseIndeterminateError",
      "PurchaseNotFoundError",
      "RateLimitedError",
      "agentIdentityExtension",
      "cancelAuthorization",
      "createBudgetLedger",
      "createFileReceiptLog",
      "createMemoryReceiptLog",
      "createPolicy",
      "defaultBudgets",
      "diagnosticChannels",
      "getReceipt",
      "isPolicy",
      "latestByPurchase",
      "listPurchases",
      "parseReceipt",
      "purchaseOf",
      "readAgentIdentity",
      "readPurchaseIdentity",
      "serializeReceipt",
      "toCandidates",
      "toPaymentId",
      "wrapFetch",
    ]
  `)
})
