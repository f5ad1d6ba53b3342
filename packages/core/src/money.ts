import { InvalidMoneyError } from './errors/money.js'

const maxUint256 = 2n ** 256n - 1n
// Longest string accepted: "$" + 78 integer digits + "." + 255 decimals, with room for padding.
const maxLength = 1024

/**
 * A price, by one rule: a string or a number is always in the asset's WHOLE units (`'$0.01'`,
 * `'0.01'`, `0.01`; `'1'` is one whole token, `'10000'` ten thousand), whatever else is set;
 * atomic units are written only as `{ amount, asset }` (or, where a caller takes one, a `bigint`).
 */
export type Price =
  | string
  | number
  | {
      /** Atomic units of `asset` (a bigint, or its decimal digits). */
      amount: string | bigint
      /** The token address (or the scheme's asset id). */
      asset: string
      /** Scheme data, e.g. the EIP-712 `{ name, version }` of the token. */
      extra?: Record<string, unknown> | undefined
    }

/** Options of {@link parseMoney}. */
export type ParseMoneyOptions = {
  /** Decimals of the asset (6 for USDC). */
  decimals: number
}

/** The error {@link parseMoney}, {@link parseAtomicAmount} and {@link formatMoney} throw. */
export type ParseMoneyErrorType = InvalidMoneyError

/**
 * Converts an amount to atomic units exactly, never through a float: a string or number is in
 * whole units (`"$0.01"` with 6 decimals is `10000n`), a bigint is already atomic. Rejects
 * negatives, NaN, Infinity, empty or malformed strings (commas, exponents), more decimal places
 * than `decimals`, and values above 2^256 - 1, with `InvalidMoneyError`.
 *
 * @example
 * ```ts
 * import { parseMoney } from '@tollgate/core'
 * parseMoney('$0.01', { decimals: 6 }) // 10000n
 * ```
 */
export function parseMoney(
  input: string | number | bigint,
  { decimals }: ParseMoneyOptions,
): bigint {
  assertDecimals(decimals)
  if (typeof input === 'bigint') return checkRange(input, input)
  if (typeof input === 'number') return parseNumber(input, decimals)
  if (typeof input === 'string') return parseString(input, decimals)
  throw new InvalidMoneyError({ reason: 'not_a_number', input })
}

/** Reads an atomic amount (a digit string or a bigint) and checks it fits a uint256. */
export function parseAtomicAmount(input: string | bigint): bigint {
  if (typeof input === 'bigint') return checkRange(input, input)
  if (typeof input !== 'string') throw new InvalidMoneyError({ reason: 'not_a_number', input })
  if (input.length === 0) throw new InvalidMoneyError({ reason: 'empty', input })
  if (input.length > maxLength) throw new InvalidMoneyError({ reason: 'too_long', input })
  if (input.charCodeAt(0) === 45 && isDigits(input, 1, input.length)) {
    throw new InvalidMoneyError({ reason: 'negative', input })
  }
  if (!isDigits(input, 0, input.length))
    throw new InvalidMoneyError({ reason: 'not_a_number', input })
  return toAtomic(input, '', 0, 0, input)
}

/** Options of {@link formatMoney}. */
export type FormatMoneyOptions = {
  /** Decimals of the asset (6 for USDC). */
  decimals: number
  /** `'$'` is put in front (`$0.01`); anything else after a space (`0.01 USDC`). */
  symbol?: string | undefined
}

/**
 * Formats atomic units as a decimal string, exactly (`10000n` with 6 decimals is `"0.01"`),
 * without trailing zeros.
 */
export function formatMoney(amount: bigint, { decimals, symbol }: FormatMoneyOptions): string {
  assertDecimals(decimals)
  const negative = amount < 0n
  const digits = (negative ? -amount : amount).toString()
  let text: string
  if (decimals === 0) text = digits
  else {
    const padded = digits.padStart(decimals + 1, '0')
    const whole = padded.slice(0, padded.length - decimals)
    let end = padded.length
    while (end > whole.length && padded.charCodeAt(end - 1) === 48) end--
    text = end > whole.length ? `${whole}.${padded.slice(whole.length, end)}` : whole
  }
  if (negative) text = `-${text}`
  if (symbol === undefined || symbol === '') return text
  return symbol === '$' ? (negative ? `-$${text.slice(1)}` : `$${text}`) : `${text} ${symbol}`
}

function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new InvalidMoneyError({ reason: 'invalid_decimals', input: decimals })
  }
}

function checkRange(value: bigint, input: unknown): bigint {
  if (value < 0n) throw new InvalidMoneyError({ reason: 'negative', input })
  if (value > maxUint256) throw new InvalidMoneyError({ reason: 'overflow', input })
  return value
}

function parseNumber(input: number, decimals: number): bigint {
  if (Number.isNaN(input)) throw new InvalidMoneyError({ reason: 'not_a_number', input })
  if (!Number.isFinite(input)) throw new InvalidMoneyError({ reason: 'not_finite', input })
  if (input < 0) throw new InvalidMoneyError({ reason: 'negative', input })
  // String() gives the shortest decimal that reads back as the same double: exactly the digits
  // the caller wrote, possibly in exponent form ("1e-7", "1.5e+21"), never binary noise.
  const text = String(input)
  const e = text.indexOf('e')
  const mantissa = e < 0 ? text : text.slice(0, e)
  const exponent = e < 0 ? 0 : Number(text.slice(e + 1))
  const dot = mantissa.indexOf('.')
  const whole = dot < 0 ? mantissa : mantissa.slice(0, dot)
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1)
  return toAtomic(whole, fraction, exponent, decimals, input)
}

function parseString(input: string, decimals: number): bigint {
  if (input.length > maxLength) throw new InvalidMoneyError({ reason: 'too_long', input })
  let text = input.trim()
  if (text.length === 0) throw new InvalidMoneyError({ reason: 'empty', input })
  let negative = false
  if (text.charCodeAt(0) === 45) {
    negative = true
    text = text.slice(1)
  }
  if (text.charCodeAt(0) === 36) text = text.slice(1) // "$"
  if (!negative && text.charCodeAt(0) === 45) {
    negative = true
    text = text.slice(1)
  }
  // Strict decimal: digits, optionally "." and more digits. No sign, comma, space or exponent.
  const dot = text.indexOf('.')
  const whole = dot < 0 ? text : text.slice(0, dot)
  const fraction = dot < 0 ? '' : text.slice(dot + 1)
  const valid =
    whole.length > 0 &&
    isDigits(whole, 0, whole.length) &&
    (dot < 0 || (fraction.length > 0 && isDigits(fraction, 0, fraction.length)))
  if (!valid) throw new InvalidMoneyError({ reason: 'not_a_number', input })
  if (negative && /[1-9]/.test(text)) throw new InvalidMoneyError({ reason: 'negative', input })
  return toAtomic(whole, fraction, 0, decimals, input)
}

function isDigits(text: string, start: number, end: number): boolean {
  if (end <= start) return false
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

// value = (whole.fraction) * 10^exponent; atomic = value * 10^decimals, which must be an integer.
function toAtomic(
  whole: string,
  fraction: string,
  exponent: number,
  decimals: number,
  input: unknown,
): bigint {
  let digits = whole + fraction
  let start = 0
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++
  digits = digits.slice(start)
  if (digits === '0') return 0n
  // Shift = how many places the decimal point moves right after the last digit.
  let shift = decimals + exponent - fraction.length
  if (shift < 0) {
    // Only trailing zeros may be dropped; anything else is precision the asset cannot hold.
    let end = digits.length
    while (shift < 0 && digits.charCodeAt(end - 1) === 48) {
      end--
      shift++
    }
    if (shift < 0) throw new InvalidMoneyError({ reason: 'excess_decimals', input })
    digits = digits.slice(0, end)
  }
  // 2^256 - 1 has 78 digits: decide by length before building any big number.
  if (digits.length + shift > 78) throw new InvalidMoneyError({ reason: 'overflow', input })
  const value = BigInt(digits) * 10n ** BigInt(shift)
  if (value > maxUint256) throw new InvalidMoneyError({ reason: 'overflow', input })
  return value
}
