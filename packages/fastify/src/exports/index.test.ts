import { expect, test } from 'vitest'
import * as entry from './index.js'

// The public API changes only in a reviewed diff of this snapshot.
test('@tollgate/fastify exports', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "AgentConfigurationError",
      "InvalidPriceError",
      "PriceResolutionError",
      "RouteConfigurationError",
      "UnsupportedSettlementModeError",
      "createLocalFacilitator",
      "createPaywall",
      "paywallChannels",
      "paywallReasons",
      "renderPaywallPage",
    ]
  `)
})
