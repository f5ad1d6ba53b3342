import { expect, test } from 'vitest'
import * as devnet from './devnet.js'

test('exports', () => {
  expect(Object.keys(devnet).sort()).toMatchInlineSnapshot(`
    [
      "AnvilNotFoundError",
      "AnvilStartError",
      "ContractNotFoundError",
      "DevnetError",
      "DevnetSetupError",
      "InvalidDevnetOptionError",
      "devMnemonic",
      "getDevAccounts",
      "resolveAnvilBinary",
      "spawnAnvil",
      "startDevnet",
    ]
  `)
})
