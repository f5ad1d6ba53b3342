import { expect, test } from 'vitest'
import * as accounts from './accounts.js'

test('exports', () => {
  expect(Object.keys(accounts).sort()).toMatchInlineSnapshot(`
    [
      "loadNativeSecp256k1",
      "loadSecp256k1",
      "loadWasmSecp256k1",
      "privateKeyToAccount",
    ]
  `)
})
