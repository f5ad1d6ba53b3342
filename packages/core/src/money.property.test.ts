import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { isTollgateError } from './errors/base.js'
import { InvalidMoneyError } from './errors/money.js'
import { formatMoney, parseAtomicAmount, parseMoney } from './money.js'

const numRuns = 2_000
const maxUint256 = 2n ** 256n - 1n
const decimals = fc.integer({ min: 0, max: 40 })

// A plain assertion: `expect` costs more than the parse it checks, thousands of times over.
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}

/** Calls `fn`; it must return a uint256 bigint or throw InvalidMoneyError, nothing else. */
function outcome(fn: () => bigint): bigint | InvalidMoneyError {
  try {
    const value = fn()
    check(typeof value === 'bigint' && value >= 0n && value <= maxUint256, `out of range: ${value}`)
    return value
  } catch (error) {
    check(
      error instanceof InvalidMoneyError && isTollgateError(error),
      `untyped error escaped: ${String(error)}`,
    )
    return error as InvalidMoneyError
  }
}

describe('money properties', () => {
  test('formatMoney then parseMoney is the identity on uint256', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: maxUint256 }),
        decimals,
        fc.boolean(),
        (amount, d, dollar) => {
          const text = formatMoney(amount, { decimals: d, symbol: dollar ? '$' : undefined })
          check(parseMoney(text, { decimals: d }) === amount, `${amount} / ${d} -> ${text}`)
        },
      ),
      { numRuns },
    )
  })

  test('random decimal strings: exact atomic value, or the right reason', () => {
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: 1,
      maxLength: 90,
    })
    fc.assert(
      fc.property(digits, fc.option(digits, { nil: undefined }), decimals, (whole, fraction, d) => {
        const input = fraction === undefined ? whole : `${whole}.${fraction}`
        const result = outcome(() => parseMoney(input, { decimals: d }))
        // The expected value, computed another way: scale the whole digit string by 10^d.
        const significant = (fraction ?? '').replace(/0+$/, '')
        if (significant.length > d) {
          check(result instanceof InvalidMoneyError && result.reason === 'excess_decimals', input)
          return
        }
        const expected = BigInt(whole + significant.padEnd(d, '0'))
        if (expected > maxUint256) {
          check(result instanceof InvalidMoneyError && result.reason === 'overflow', input)
          return
        }
        check(result === expected, `${input} / ${d}: ${String(result)} !== ${expected}`)
      }),
      { numRuns },
    )
  })

  test('any double: exact, or a typed rejection; never a float artefact', () => {
    const doubles = fc.oneof(
      fc.double(), // NaN, ±Infinity, -0, subnormals, extremes
      fc.double({ min: 1e21, max: 1e80, noNaN: true }),
      fc.double({ min: 0, max: 1e6, noNaN: true }),
      fc.integer({ min: 0, max: 10 ** 9 }).map((n) => n / 100), // cents, as people write them
      fc.constantFrom(-0, Number.MIN_VALUE, Number.MAX_VALUE, 1e21, 1e-7, 0.1 + 0.2),
    )
    fc.assert(
      fc.property(doubles, decimals, (n, d) => {
        const result = outcome(() => parseMoney(n, { decimals: d }))
        if (result instanceof InvalidMoneyError) {
          const expected = Number.isNaN(n)
            ? 'not_a_number'
            : !Number.isFinite(n)
              ? 'not_finite'
              : n < 0
                ? 'negative'
                : undefined
          if (expected) check(result.reason === expected, `${n}: ${result.reason}`)
          else
            check(['excess_decimals', 'overflow'].includes(result.reason), `${n}: ${result.reason}`)
          return
        }
        // Formatting the atomic value gives the decimal the number stands for, exactly.
        check(Number(formatMoney(result, { decimals: d })) === n, `${n} / ${d} -> ${result}`)
      }),
      { numRuns },
    )
  })

  test('cent amounts with 6 decimals are always accepted, and exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (cents) => {
        const n = cents / 100
        check(parseMoney(n, { decimals: 6 }) === BigInt(cents) * 10_000n, `${n}`)
        check(parseMoney(`$${n}`, { decimals: 6 }) === BigInt(cents) * 10_000n, `$${n}`)
      }),
      { numRuns },
    )
  })

  test('hostile strings: only InvalidMoneyError escapes', () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...'0123456789.$-+eE, _'), maxLength: 40 }),
      fc.integer({ min: 1000, max: 100_000 }).map((n) => '9'.repeat(n)),
      fc.integer({ min: 1, max: 5000 }).map((n) => `0.${'0'.repeat(n)}1`),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '0x1p3', '١', '𝟏'),
    )
    fc.assert(
      fc.property(hostile, decimals, (input, d) => {
        outcome(() => parseMoney(input, { decimals: d }))
        outcome(() => parseAtomicAmount(input))
      }),
      { numRuns: numRuns / 2 },
    )
  })

  test('hostile anything (wrong types, bad decimals): only InvalidMoneyError escapes', () => {
    const badDecimals = fc.oneof(decimals, fc.double(), fc.integer({ min: -1000, max: 1000 }))
    fc.assert(
      fc.property(fc.anything(), badDecimals, (input, d) => {
        outcome(() => parseMoney(input as string, { decimals: d }))
        outcome(() => parseAtomicAmount(input as string))
      }),
      { numRuns: numRuns / 2 },
    )
  })

  test('parseAtomicAmount agrees with BigInt on digit strings', () => {
    const digits = fc.string({
      unit: fc.constantFrom(...'0123456789'),
      minLength: 1,
      maxLength: 100,
    })
    fc.assert(
      fc.property(digits, (input) => {
        const result = outcome(() => parseAtomicAmount(input))
        const expected = BigInt(input)
        if (expected > maxUint256) check(result instanceof InvalidMoneyError, input)
        else check(result === expected, input)
      }),
      { numRuns },
    )
  })

  test('formatMoney output is a plain decimal without trailing zeros', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -maxUint256, max: maxUint256 }), decimals, (amount, d) => {
        expect(formatMoney(amount, { decimals: d })).toMatch(/^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/)
      }),
      { numRuns: 500 },
    )
  })
})
