import { expect, test } from 'vitest'
import * as entry from './coinbase.js'

test('the coinbase entry exports exactly these names', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "CdpKeyError",
      "cdpFacilitatorUrl",
      "createCdpAuthHeaders",
      "createCdpFacilitatorClient",
      "createCdpJwt",
      "createCorrelationContext",
    ]
  `)
})
