import { expect, test } from 'vitest'
import * as accounts from './accounts.js'

test('exports', () => {
  expect(Object.keys(accounts).sort()).toMatchInlineSnapshot(`
    [
      "privateKeyToAccount",
    ]
  `)
})
