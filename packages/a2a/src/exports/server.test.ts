import { expect, test } from 'vitest'
import * as exports from './server.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "createA2APaywall",
    ]
  `)
})
