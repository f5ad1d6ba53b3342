import { expect, test } from 'vitest'
import * as entry from './index.js'

test('the entry exports exactly these values', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "AgentConfigurationError",
      "PriceResolutionError",
      "RouteConfigurationError",
      "agentIdentityExtension",
      "agentRegistrationPath",
      "createLocalFacilitator",
      "createPaywall",
      "paywallChannels",
      "paywallReasons",
      "renderPaywallPage",
      "statusOf",
    ]
  `)
})
