import { expect, test } from 'vitest'
import * as exports from './client.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "wrapA2AClient",
    ]
  `)
})
