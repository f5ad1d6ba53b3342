import { expect, test } from 'vitest'
import * as entry from './index.js'

test('the entry exports exactly these names', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "FacilitatorClosedError",
      "FacilitatorConfigError",
      "FacilitatorListenError",
      "FacilitatorRequestError",
      "InvalidSettlementBatchError",
      "InvalidTransitionError",
      "LedgerConflictError",
      "LedgerDriverError",
      "LedgerOpenError",
      "createFacilitator",
      "createPostgresLedger",
      "createSqliteLedger",
      "facilitatorReasons",
      "serveFacilitator",
      "settlementChannelName",
    ]
  `)
})
