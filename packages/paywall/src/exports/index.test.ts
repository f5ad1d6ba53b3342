import { expect, test } from 'vitest'
import * as entry from './index.js'

// The public API changes only in a reviewed diff of this snapshot.
test('@tollgate/paywall exports', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "AgentConfigurationError",
      "InvalidPriceError",
      "PaywallStoreError",
      "PriceResolutionError",
      "RouteConfigurationError",
      "UnsupportedSettlementModeError",
      "UptoUnavailableError",
      "createMemoryStore",
      "createPaywallEngine",
      "parsePayment",
      "paywallChannels",
      "paywallReasons",
    ]
  `)
})
