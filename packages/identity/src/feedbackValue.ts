import { InvalidFeedbackValueError } from './errors.js'

/** A reputation value as the registry stores it: `value / 10^valueDecimals`, exactly. */
export type FeedbackValue = { value: bigint; valueDecimals: number }

/** Largest `valueDecimals` the Reputation Registry accepts. */
export const maxFeedbackValueDecimals = 18

/** Largest `|value|` the reference Reputation Registry accepts (1e38, inside `int128`). */
export const maxFeedbackValue = 10n ** 38n

/**
 * Turns a decimal string into the registry's `(value, valueDecimals)`, exactly (no floats):
 * `'99.77'` gives `{ value: 9977n, valueDecimals: 2 }`, `'-3.2'` gives `(-32n, 1)`; a `bigint` is
 * taken as a whole number. Throws `InvalidFeedbackValueError` beyond 18 decimals or 1e38.
 *
 * @example
 * toFeedbackValue('99.77') // { value: 9977n, valueDecimals: 2 }
 */
export function toFeedbackValue(input: string | bigint): FeedbackValue {
  if (typeof input === 'bigint') return checkFeedbackValue({ value: input, valueDecimals: 0 })
  const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(input.trim())
  if (!match) throw new InvalidFeedbackValueError({ value: input, reason: 'not a decimal number' })
  const [, sign, whole, fraction = ''] = match
  if (fraction.length > maxFeedbackValueDecimals)
    throw new InvalidFeedbackValueError({ value: input, reason: 'more than 18 decimals' })
  const magnitude = BigInt(`${whole}${fraction}`)
  return checkFeedbackValue({
    value: sign === '-' ? -magnitude : magnitude,
    valueDecimals: fraction.length,
  })
}

/**
 * The decimal string of a registry value, exactly and with all its decimals:
 * `{ value: 9977n, valueDecimals: 2 }` gives `'99.77'`.
 */
export function fromFeedbackValue({ value, valueDecimals }: FeedbackValue): string {
  if (!Number.isInteger(valueDecimals) || valueDecimals < 0 || valueDecimals > 255)
    throw new InvalidFeedbackValueError({
      value: String(valueDecimals),
      reason: 'valueDecimals must be an integer from 0 to 255',
    })
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(valueDecimals + 1, '0')
  const whole = digits.slice(0, digits.length - valueDecimals)
  const fraction = digits.slice(digits.length - valueDecimals)
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Throws `InvalidFeedbackValueError` unless the registry would accept the pair. */
export function checkFeedbackValue(feedback: FeedbackValue): FeedbackValue {
  const { value, valueDecimals } = feedback
  if (
    !Number.isInteger(valueDecimals) ||
    valueDecimals < 0 ||
    valueDecimals > maxFeedbackValueDecimals
  )
    throw new InvalidFeedbackValueError({
      value: String(valueDecimals),
      reason: 'valueDecimals must be an integer from 0 to 18',
    })
  if (value > maxFeedbackValue || value < -maxFeedbackValue)
    throw new InvalidFeedbackValueError({ value: value.toString(), reason: '|value| above 1e38' })
  return feedback
}
