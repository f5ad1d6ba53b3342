import { expect, test } from 'vitest'
import * as entry from './http.js'

// The public API changes only in a reviewed diff of this snapshot.
test('@tollgate/paywall/http exports', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "createHttpPaywall",
      "createPaywallPage",
      "handleWebRequest",
      "holdWebResponse",
      "paywallPageScriptHash",
      "renderPaywallPage",
      "setSettlementOverrides",
      "withPaywall",
    ]
  `)
})
