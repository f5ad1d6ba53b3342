import { expect, test } from 'vitest'
import * as entry from './index.js'

test('the entry exports exactly these names', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "FacilitatorConfigError",
      "InvalidTransitionError",
      "LedgerDriverError",
      "allowedTransitions",
      "batchSettlerAbi",
      "broadcastTransaction",
      "canTransition",
      "createBalanceCache",
      "createBlockWatcher",
      "createChainClient",
      "createFacilitator",
      "createFacilitatorApp",
      "createFeeStrategy",
      "createMetricsRegistry",
      "createNonceManager",
      "createPostgresLedger",
      "createRateLimiter",
      "createSettlementEvents",
      "createSettler",
      "createSqliteLedger",
      "encodeSettlement",
      "facilitatorReasons",
      "formatKey",
      "normalizeKey",
      "readReceiptOutcomes",
      "reasonOfRevert",
      "reconcileAuthorization",
      "serveFacilitator",
      "settlePayment",
      "settlementChannelName",
      "settlementStates",
      "toExactEvmPayload",
      "verifyAndReserve",
    ]
  `)
})
