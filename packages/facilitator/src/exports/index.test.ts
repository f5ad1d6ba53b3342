import { expect, test } from 'vitest'
import * as entry from './index.js'

test('the entry exports exactly these names', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "FacilitatorClosedError",
      "FacilitatorConfigError",
      "FacilitatorRequestError",
      "InvalidSettlementBatchError",
      "InvalidTransitionError",
      "LedgerConflictError",
      "LedgerDriverError",
      "createFacilitator",
      "createPostgresLedger",
      "createSqliteLedger",
      "facilitatorReasons",
      "serveFacilitator",
      "settlementChannelName",
    ]
  `)
})
