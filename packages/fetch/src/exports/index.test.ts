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
      "RateLimitedError",
      "agentIdentityExtension",
      "createBudgetLedger",
      "createFileReceiptLog",
      "createMemoryReceiptLog",
      "createPolicy",
      "defaultBudgets",
      "diagnosticChannels",
      "getReceipt",
      "isPolicy",
      "parseReceipt",
      "readAgentIdentity",
      "serializeReceipt",
      "toCandidates",
      "wrapFetch",
    ]
  `)
})
