import { expect, test } from 'vitest'
import * as entry from './index.js'

test('the entry exports exactly these values', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "AgentConfigurationError",
      "InvalidPriceError",
      "PriceResolutionError",
      "RouteConfigurationError",
      "UnsupportedSettlementModeError",
      "UptoUnavailableError",
      "createLocalFacilitator",
      "createPaywall",
      "createPaywallPage",
      "paywallChannels",
      "paywallPageScriptHash",
      "paywallReasons",
      "renderPaywallPage",
      "setSettlementOverrides",
    ]
  `)
})
