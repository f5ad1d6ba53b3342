import { describe, expect, test } from 'vitest'
import { InvalidMoneyError, type InvalidMoneyReason } from './errors/money.js'
import { formatMoney, parseAtomicAmount, parseMoney } from './money.js'

const maxUint256 = 2n ** 256n - 1n

function reasonOf(fn: () => unknown): InvalidMoneyReason | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof InvalidMoneyError) return error.reason
    throw error
  }
  return undefined
}

describe('parseMoney', () => {
  test('"$0.01" with 6 decimals is 10000n', () => {
    expect(parseMoney('$0.01', { decimals: 6 })).toBe(10000n)
  })

  test.each<[string | number | bigint, number, bigint]>([
    ['0.01', 6, 10000n],
    ['1', 6, 1000000n],
    ['1.5', 6, 1500000n],
    ['0.000001', 6, 1n],
    ['0.0100000000', 6, 10000n], // trailing zeros beyond the decimals are exact
    ['  $2.50  ', 6, 2500000n],
    ['007', 2, 700n],
    ['0', 6, 0n],
    ['0.000', 0, 0n],
    ['123', 0, 123n],
    ['1', 18, 10n ** 18n],
    [0.01, 6, 10000n],
    [0.1, 6, 100000n],
    [1.1, 6, 1100000n], // a float would give 1100000.0000000002
    [0.29, 6, 290000n],
    [4.02, 6, 4020000n],
    [1e-6, 6, 1n],
    [1e-7, 8, 10n],
    [1.5e-7, 8, 15n],
    [1e21, 6, 10n ** 27n],
    [1.5e21, 0, 15n * 10n ** 20n],
    [123456789, 6, 123456789000000n],
    [0, 6, 0n],
    [-0, 6, 0n],
    [10000n, 6, 10000n], // a bigint is already atomic
    [maxUint256, 6, maxUint256],
    [`${maxUint256}`, 0, maxUint256],
  ])('%s with %i decimals -> %s', (input, decimals, expected) => {
    expect(parseMoney(input, { decimals })).toBe(expected)
  })

  test.each<[unknown, number, InvalidMoneyReason]>([
    ['', 6, 'empty'],
    ['   ', 6, 'empty'],
    ['$', 6, 'not_a_number'],
    ['abc', 6, 'not_a_number'],
    ['1,000.50', 6, 'not_a_number'],
    ['1 000', 6, 'not_a_number'],
    ['1e3', 6, 'not_a_number'],
    ['1E-3', 6, 'not_a_number'],
    ['.5', 6, 'not_a_number'],
    ['5.', 6, 'not_a_number'],
    ['1.2.3', 6, 'not_a_number'],
    ['+1', 6, 'not_a_number'],
    ['0x10', 6, 'not_a_number'],
    ['NaN', 6, 'not_a_number'],
    ['Infinity', 6, 'not_a_number'],
    ['$$1', 6, 'not_a_number'],
    ['1$', 6, 'not_a_number'],
    ['1 USDC', 6, 'not_a_number'],
    ['١٫٥', 6, 'not_a_number'],
    ['-1', 6, 'negative'],
    ['-$0.01', 6, 'negative'],
    ['$-0.01', 6, 'negative'],
    [-0.01, 6, 'negative'],
    [-1n, 6, 'negative'],
    [Number.NaN, 6, 'not_a_number'],
    [Number.POSITIVE_INFINITY, 6, 'not_finite'],
    [Number.NEGATIVE_INFINITY, 6, 'not_finite'],
    ['0.0000001', 6, 'excess_decimals'],
    ['1.5', 0, 'excess_decimals'],
    [0.0000001, 6, 'excess_decimals'],
    [Number.MIN_VALUE, 6, 'excess_decimals'], // 5e-324, a subnormal
    [0.1 + 0.2, 6, 'excess_decimals'], // 0.30000000000000004 is what the caller passed
    [`${maxUint256 + 1n}`, 0, 'overflow'],
    [`1${'0'.repeat(78)}`, 0, 'overflow'],
    ['1', 78, 'overflow'],
    [1e300, 6, 'overflow'],
    [Number.MAX_VALUE, 0, 'overflow'],
    [maxUint256 + 1n, 6, 'overflow'],
    ['1'.repeat(2000), 6, 'too_long'],
    ['1', -1, 'invalid_decimals'],
    ['1', 1.5, 'invalid_decimals'],
    ['1', 256, 'invalid_decimals'],
    ['1', Number.NaN, 'invalid_decimals'],
    [null, 6, 'not_a_number'],
    [{}, 6, 'not_a_number'],
  ])('%s with %s decimals -> %s', (input, decimals, reason) => {
    expect(reasonOf(() => parseMoney(input as string, { decimals }))).toBe(reason)
  })
})

describe('parseAtomicAmount', () => {
  test.each<[string | bigint, bigint]>([
    ['0', 0n],
    ['10000', 10000n],
    ['00010', 10n],
    [`${maxUint256}`, maxUint256],
    [5n, 5n],
  ])('%s -> %s', (input, expected) => {
    expect(parseAtomicAmount(input)).toBe(expected)
  })

  test.each<[unknown, InvalidMoneyReason]>([
    ['', 'empty'],
    ['1.0', 'not_a_number'],
    ['0.01', 'not_a_number'],
    ['1e6', 'not_a_number'],
    [' 1', 'not_a_number'],
    ['-1', 'negative'],
    ['-', 'not_a_number'],
    [-1n, 'negative'],
    [`${maxUint256 + 1n}`, 'overflow'],
    [maxUint256 + 1n, 'overflow'],
    ['9'.repeat(5000), 'too_long'],
    [1, 'not_a_number'],
  ])('%s -> %s', (input, reason) => {
    expect(reasonOf(() => parseAtomicAmount(input as string))).toBe(reason)
  })
})

describe('formatMoney', () => {
  test.each<[bigint, number, string | undefined, string]>([
    [10000n, 6, undefined, '0.01'],
    [1000000n, 6, undefined, '1'],
    [1500000n, 6, undefined, '1.5'],
    [1n, 6, undefined, '0.000001'],
    [0n, 6, undefined, '0'],
    [123n, 0, undefined, '123'],
    [10n ** 18n, 18, undefined, '1'],
    [
      maxUint256,
      6,
      undefined,
      `${maxUint256 / 10n ** 6n}.${(maxUint256 % 10n ** 6n).toString().padStart(6, '0').replace(/0+$/, '')}`,
    ],
    [10000n, 6, '$', '$0.01'],
    [2500000n, 6, 'USDC', '2.5 USDC'],
    [-10000n, 6, undefined, '-0.01'],
    [-10000n, 6, '$', '-$0.01'],
  ])('%s with %i decimals and symbol %s -> %s', (amount, decimals, symbol, expected) => {
    expect(formatMoney(amount, { decimals, symbol })).toBe(expected)
  })

  test('invalid decimals', () => {
    expect(reasonOf(() => formatMoney(1n, { decimals: -1 }))).toBe('invalid_decimals')
  })

  test('round-trips with parseMoney', () => {
    for (const amount of [0n, 1n, 10000n, 123456789n, 10n ** 30n + 7n, maxUint256]) {
      for (const decimals of [0, 2, 6, 18, 30]) {
        expect(parseMoney(formatMoney(amount, { decimals }), { decimals })).toBe(amount)
        expect(parseMoney(formatMoney(amount, { decimals, symbol: '$' }), { decimals })).toBe(
          amount,
        )
      }
    }
  })
})
