import { BaseError, isTollgateError } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import {
  AnvilNotFoundError,
  AnvilStartError,
  ContractNotFoundError,
  DevnetError,
  DevnetSetupError,
  InvalidDevnetOptionError,
} from './errors.js'

describe('devnet errors', () => {
  test('are Tollgate errors: BaseError, a name, a stable code, fields kept', () => {
    const cause = new Error('spawn /nope ENOENT')
    const errors = [
      new AnvilNotFoundError({ details: 'no anvil build for aix-ppc' }),
      new AnvilStartError({ details: 'cannot spawn /nope', cause }),
      new DevnetSetupError({ transactionHash: `0x${'ab'.repeat(32)}` }),
      new InvalidDevnetOptionError({ option: 'accounts', expected: 'a non-negative integer' }),
      new ContractNotFoundError({ address: '0x0000000000000000000000000000000000000001' }),
    ]
    for (const error of errors) {
      expect(error).toBeInstanceOf(DevnetError)
      expect(error).toBeInstanceOf(BaseError)
      expect(isTollgateError(error)).toBe(true)
    }
    expect(errors.map((error) => [error.name, error.code])).toEqual([
      ['AnvilNotFoundError', 'TOLLGATE_DEVNET_ANVIL_NOT_FOUND'],
      ['AnvilStartError', 'TOLLGATE_DEVNET_ANVIL_START'],
      ['DevnetSetupError', 'TOLLGATE_DEVNET_SETUP'],
      ['InvalidDevnetOptionError', 'TOLLGATE_DEVNET_OPTIONS'],
      ['ContractNotFoundError', 'TOLLGATE_DEVNET_COPY'],
    ])
    expect((errors[2] as DevnetSetupError).transactionHash).toBe(`0x${'ab'.repeat(32)}`)
    expect(errors[3]).toMatchObject({ option: 'accounts', expected: 'a non-negative integer' })
    expect(errors[4]).toMatchObject({ address: '0x0000000000000000000000000000000000000001' })
    // Our words and the cause's both survive.
    expect(errors[1]!.cause).toBe(cause)
    expect(errors[1]!.message).toMatchInlineSnapshot(`
      "Anvil failed to start.

      cannot spawn /nope

      Details: spawn /nope ENOENT"
    `)
    expect(errors[3]!.message).toMatchInlineSnapshot(
      `"\`accounts\` must be a non-negative integer."`,
    )
  })
})
