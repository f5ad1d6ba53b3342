import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidFeedbackValueError } from './errors.js'
import { fromFeedbackValue, toFeedbackValue } from './feedbackValue.js'

describe('toFeedbackValue', () => {
  test.each([
    ['87', 87n, 0],
    ['99.77', 9977n, 2],
    ['-3.2', -32n, 1],
    ['0.05', 5n, 2],
    ['1.50', 150n, 2],
    ['-0.000000000000000001', -1n, 18],
  ])('%s', (input, value, valueDecimals) => {
    expect(toFeedbackValue(input)).toEqual({ value, valueDecimals })
  })

  test('a bigint is a whole number', () => {
    expect(toFeedbackValue(42n)).toEqual({ value: 42n, valueDecimals: 0 })
  })

  test.each(['', 'abc', '1e5', '.5', '5.', '1,5', '0.0000000000000000001', `1${'0'.repeat(38)}1`])(
    'rejects %j',
    (input) => {
      expect(() => toFeedbackValue(input)).toThrow(InvalidFeedbackValueError)
    },
  )

  test('the error names the reason', () => {
    expect(() => toFeedbackValue('0.0000000000000000001')).toThrowErrorMatchingInlineSnapshot(`
      [InvalidFeedbackValueError: The feedback value is invalid: more than 18 decimals.

      Value: 0.0000000000000000001]
    `)
  })
})

describe('fromFeedbackValue', () => {
  test.each([
    [9977n, 2, '99.77'],
    [-32n, 1, '-3.2'],
    [5n, 2, '0.05'],
    [-5n, 3, '-0.005'],
    [87n, 0, '87'],
    [0n, 2, '0.00'],
  ])('(%s, %s) -> %s', (value, valueDecimals, expected) => {
    expect(fromFeedbackValue({ value, valueDecimals })).toBe(expected)
  })

  test('round trips exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 38n), max: 10n ** 38n }),
        fc.integer({ min: 0, max: 18 }),
        (value, valueDecimals) => {
          expect(toFeedbackValue(fromFeedbackValue({ value, valueDecimals }))).toEqual({
            value,
            valueDecimals,
          })
        },
      ),
    )
  })
})
