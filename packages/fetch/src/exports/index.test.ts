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
      "createBudgetLedger",
      "createFileReceiptLog",
      "createMemoryReceiptLog",
      "createPolicy",
      "diagnosticChannels",
      "getReceipt",
      "isPolicy",
      "parseReceipt",
      "serializeReceipt",
      "toCandidates",
      "wrapFetch",
    ]
  `)
})
