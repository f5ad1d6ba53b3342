import { describe, expect, test } from 'vitest'
import { addressSchema, isUint256String, uint256StringSchema } from './primitives.js'

describe('isUint256String', () => {
  const max = (2n ** 256n - 1n).toString()
  test.each([
    ['0', true],
    ['10000', true],
    ['000000000000000000000000000000000000000000000000000000000000000000000000000000000001', true],
    [max, true],
    [`000${max}`, true],
    [(2n ** 256n).toString(), false],
    ['9'.repeat(79), false],
    ['', false],
    ['-1', false],
    ['+1', false],
    ['1.0', false],
    ['1e3', false],
    [' 1', false],
    ['0x10', false],
    ['١٢٣', false],
  ])('%s -> %s', (value, expected) => {
    expect(isUint256String(value)).toBe(expected)
    expect(uint256StringSchema.safeParse(value).success).toBe(expected)
  })

  test('a huge digit string is rejected without building a bigint', () => {
    expect(isUint256String('1'.repeat(1_000_000))).toBe(false)
  })
})

describe('addressSchema', () => {
  test('20 bytes of hex with 0x, any case', () => {
    expect(addressSchema.safeParse('0x209693Bc6afc0C5328bA36FaF03C514EF312287C').success).toBe(true)
    expect(addressSchema.safeParse('0x209693bc6afc0c5328ba36faf03c514ef312287c').success).toBe(true)
    expect(addressSchema.safeParse('0x209693Bc6afc0C5328bA36FaF03C514EF312287').success).toBe(false)
    expect(addressSchema.safeParse('209693Bc6afc0C5328bA36FaF03C514EF312287Cab').success).toBe(
      false,
    )
  })
})
