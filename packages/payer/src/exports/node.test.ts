import { expect, test } from 'vitest'
import * as node from './node.js'

test('exports', () => {
  expect(Object.keys(node).sort()).toMatchInlineSnapshot(`
    [
      "createFileReceiptLog",
    ]
  `)
})
