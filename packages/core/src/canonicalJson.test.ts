import { expect, test } from 'vitest'
import { canonicalJson, equalByContent } from './canonicalJson.js'

test('canonicalJson sorts keys at every depth and drops undefined-valued keys', () => {
  expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: undefined } })).toBe(
    '{"a":{"d":[{"x":2,"y":1}]},"b":1}',
  )
  expect(canonicalJson(undefined)).toBe('undefined')
  expect(equalByContent({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true)
  expect(equalByContent({ b: [1, 2] }, { b: [2, 1] })).toBe(false)
})
