import { describe, expect, test } from 'vitest'
import { BaseError, formatValue, isTollgateError } from './base.js'
import { InvalidJsonError } from './header.js'

describe('BaseError', () => {
  test('message: short message, meta messages, docs, details', () => {
    const error = new BaseError('Something failed.', {
      metaMessages: ['Input: 1', 'Limit: 0'],
      docsPath: '/errors#something',
      details: 'low level detail',
      code: 'TOLLGATE_TEST',
    })
    expect(error.message).toMatchInlineSnapshot(`
      "Something failed.

      Input: 1
      Limit: 0

      Docs: https://tollgate.dev/docs/errors#something
      Details: low level detail"
    `)
    expect(error.name).toBe('TollgateError')
    expect(error.code).toBe('TOLLGATE_TEST')
    expect(error.shortMessage).toBe('Something failed.')
    expect(error.details).toBe('low level detail')
  })

  test('defaults: code, no meta lines', () => {
    const error = new BaseError('Plain.')
    expect(error.message).toBe('Plain.')
    expect(error.code).toBe('TOLLGATE_ERROR')
    expect(error.cause).toBeUndefined()
    expect(error.metaMessages).toBeUndefined()
  })

  test('details come from the cause', () => {
    const inner = new Error('socket hang up')
    const error = new BaseError('Request failed.', { cause: inner })
    expect(error.details).toBe('socket hang up')
    expect(error.cause).toBe(inner)
    const outer = new BaseError('Outer.', { cause: error })
    expect(outer.details).toBe('socket hang up')
  })

  test('walk: deepest cause, or the first match', () => {
    const root = new Error('root')
    const middle = new InvalidJsonError({ cause: root })
    const top = new BaseError('top', { cause: middle })
    expect(top.walk()).toBe(root)
    expect(top.walk((e) => e instanceof InvalidJsonError)).toBe(middle)
    expect(top.walk(() => false)).toBeNull()
  })

  test('walk terminates on a cyclic cause chain', () => {
    const a = new BaseError('a')
    const b = new BaseError('b', { cause: a })
    a.cause = b
    expect(a.walk(() => false)).toBeNull()
  })

  test('isTollgateError: brand, not instanceof', () => {
    expect(isTollgateError(new BaseError('x'))).toBe(true)
    expect(isTollgateError(new InvalidJsonError())).toBe(true)
    expect(isTollgateError(new Error('x'))).toBe(false)
    expect(isTollgateError(null)).toBe(false)
    expect(isTollgateError('TollgateError')).toBe(false)
    expect(isTollgateError({ name: 'TollgateError', code: 'TOLLGATE_ERROR' })).toBe(false)
    // Another installed copy: a different class, the same global symbol.
    const foreign = Object.assign(new Error('other copy'), {})
    Object.defineProperty(foreign, Symbol.for('tollgate.error'), { value: true })
    expect(isTollgateError(foreign)).toBe(true)
  })

  test('the brand is not enumerable (errors serialise cleanly)', () => {
    const error = new BaseError('x')
    expect(Object.getOwnPropertySymbols(error)).toHaveLength(1)
    expect(JSON.stringify({ ...error })).not.toContain('tollgate.error')
  })
})

describe('formatValue', () => {
  test('never throws, stays short', () => {
    expect(formatValue('x'.repeat(1000)).length).toBe(82)
    expect(formatValue('a"b')).toBe('"a\\"b"')
    expect(formatValue(10n ** 100n, 20)).toBe('10000000000000000...')
    expect(formatValue(1.5)).toBe('1.5')
    expect(formatValue(null)).toBe('null')
    expect(formatValue([1])).toBe('an array')
    expect(formatValue({ toString: 0 })).toBe('an object')
    expect(formatValue(Object.create(null))).toBe('an object')
    expect(formatValue(Symbol('s'))).toBe('a symbol')
    expect(formatValue(() => 1)).toBe('a function')
  })
})
