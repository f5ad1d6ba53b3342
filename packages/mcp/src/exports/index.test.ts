import { expect, test } from 'vitest'
import * as exports from './index.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "ConflictingChallengeError",
      "mcpPaymentKeys",
      "readChallengeValue",
      "toolResourceName",
      "toolUrl",
    ]
  `)
})
