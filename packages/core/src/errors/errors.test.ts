import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { isTollgateError } from './base.js'
import { FacilitatorError, FacilitatorTimeoutError } from './facilitator.js'
import {
  HeaderTooLargeError,
  InvalidBase64Error,
  InvalidJsonError,
  SchemaValidationError,
} from './header.js'
import { InvalidMoneyError } from './money.js'
import { NotEvmNetworkError, UnknownNetworkError } from './network.js'
import { PaymentSettlementError, PaymentVerificationError } from './payment.js'
import { PaymentRequiredNotFoundError, UnsupportedX402VersionError } from './version.js'

// One snapshot per error class: names, codes and messages change only in a reviewed diff.
describe('error classes', () => {
  test('header errors', () => {
    const tooLarge = new HeaderTooLargeError({ size: 20_000, maxBytes: 16_384 })
    expect([tooLarge.name, tooLarge.code, tooLarge.size, tooLarge.maxBytes]).toEqual([
      'HeaderTooLargeError',
      'TOLLGATE_HEADER_TOO_LARGE',
      20_000,
      16_384,
    ])
    expect(tooLarge.message).toMatchInlineSnapshot(
      `"Header value is 20000 bytes, more than the 16384 allowed."`,
    )

    const base64 = new InvalidBase64Error({ reason: 'length' })
    expect([base64.name, base64.code, base64.reason]).toEqual([
      'InvalidBase64Error',
      'TOLLGATE_HEADER_BASE64',
      'length',
    ])
    expect(base64.message).toMatchInlineSnapshot(`
      "Header value is not standard padded base64.

      Its length is not a multiple of 4 (padding missing or truncated)."
    `)

    const json = new InvalidJsonError({ cause: new SyntaxError('Unexpected token') })
    expect([json.name, json.code]).toEqual(['InvalidJsonError', 'TOLLGATE_HEADER_JSON'])
    expect(json.message).toMatchInlineSnapshot(`
      "Header value is not UTF-8 JSON.

      Details: Unexpected token"
    `)

    const parsed = z.object({ a: z.string(), b: z.number() }).safeParse({ a: 1 })
    const schema = new SchemaValidationError({ issues: parsed.error!.issues, what: 'Header value' })
    expect([schema.name, schema.code, schema.issues.length]).toEqual([
      'SchemaValidationError',
      'TOLLGATE_SCHEMA',
      2,
    ])
    expect(schema.message).toMatchInlineSnapshot(`
      "Header value does not match the x402 schema.

      - a: Invalid input: expected string, received number
      - b: Invalid input: expected number, received undefined"
    `)
  })

  test('schema errors list at most five issues', () => {
    const parsed = z.array(z.string()).safeParse([1, 2, 3, 4, 5, 6, 7])
    const error = new SchemaValidationError({ issues: parsed.error!.issues })
    expect(error.metaMessages).toHaveLength(6)
    expect(error.metaMessages?.at(-1)).toBe('- ... and 2 more')
  })

  test('money error', () => {
    const error = new InvalidMoneyError({ reason: 'excess_decimals', input: '0.0000001' })
    expect([error.name, error.code, error.reason]).toEqual([
      'InvalidMoneyError',
      'TOLLGATE_MONEY_INVALID',
      'excess_decimals',
    ])
    expect(error.message).toMatchInlineSnapshot(`
      "Amount has more decimal places than the asset has decimals.

      Input: "0.0000001""
    `)
    const huge = new InvalidMoneyError({ reason: 'too_long', input: '9'.repeat(10_000) })
    expect(huge.message.length).toBeLessThan(200)
  })

  test('network errors', () => {
    const unknown = new UnknownNetworkError({ network: 'base-mainnet' })
    expect([unknown.name, unknown.code, unknown.network]).toEqual([
      'UnknownNetworkError',
      'TOLLGATE_NETWORK_UNKNOWN',
      'base-mainnet',
    ])
    expect(unknown.message).toMatchInlineSnapshot(`
      "Unknown network "base-mainnet".

      Use a CAIP-2 id such as "eip155:84532" or an x402 v1 name such as "base-sepolia"."
    `)
    const notEvm = new NotEvmNetworkError({ network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' })
    expect([notEvm.name, notEvm.code]).toEqual(['NotEvmNetworkError', 'TOLLGATE_NETWORK_NOT_EVM'])
  })

  test('payment errors carry the wire reason unchanged', () => {
    const verify = new PaymentVerificationError({
      reason: 'invalid_exact_evm_signature',
      message: 'signature does not recover to from',
      payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    })
    expect([verify.name, verify.code, verify.reason, verify.payer]).toEqual([
      'PaymentVerificationError',
      'TOLLGATE_PAYMENT_INVALID',
      'invalid_exact_evm_signature',
      '0x857b06519E91e3A54538791bDbb0E22373e36b66',
    ])
    expect(verify.message).toMatchInlineSnapshot(`
      "Payment verification failed: invalid_exact_evm_signature.

      Message: signature does not recover to from
      Payer: 0x857b06519E91e3A54538791bDbb0E22373e36b66"
    `)
    const settle = new PaymentSettlementError({
      reason: 'settlement_pending',
      transaction: '0xabc',
    })
    expect([settle.name, settle.code, settle.reason, settle.transaction]).toEqual([
      'PaymentSettlementError',
      'TOLLGATE_PAYMENT_SETTLEMENT',
      'settlement_pending',
      '0xabc',
    ])
    expect(new PaymentSettlementError({ reason: 'x', transaction: '' }).transaction).toBeUndefined()
  })

  test('version errors', () => {
    const missing = new PaymentRequiredNotFoundError()
    expect([missing.name, missing.code]).toEqual([
      'PaymentRequiredNotFoundError',
      'TOLLGATE_PAYMENT_REQUIRED_MISSING',
    ])
    const version = new UnsupportedX402VersionError({ version: 3 })
    expect([version.name, version.code, version.version]).toEqual([
      'UnsupportedX402VersionError',
      'TOLLGATE_X402_VERSION',
      3,
    ])
    expect(version.shortMessage).toBe('x402 version 3 is not supported.')
  })

  test('facilitator errors', () => {
    const error = new FacilitatorError({
      operation: 'verify',
      url: 'http://127.0.0.1:1/verify',
      status: 500,
      body: `<html>\n  <body>${'x'.repeat(500)}</body></html>`,
      reason: 'HTTP 500, body is not JSON.',
    })
    expect([error.name, error.code, error.operation, error.status]).toEqual([
      'FacilitatorError',
      'TOLLGATE_FACILITATOR',
      'verify',
      500,
    ])
    expect(error.body?.length).toBe(200)
    expect(error.body?.startsWith('<html> <body>xxx')).toBe(true)
    const timeout = new FacilitatorTimeoutError({
      operation: 'settle',
      url: 'http://127.0.0.1:1/settle',
      timeoutMs: 50,
    })
    expect(timeout).toBeInstanceOf(FacilitatorError)
    expect([timeout.name, timeout.code, timeout.timeoutMs]).toEqual([
      'FacilitatorTimeoutError',
      'TOLLGATE_FACILITATOR_TIMEOUT',
      50,
    ])
    expect(timeout.message).toMatchInlineSnapshot(`
      "Facilitator settle failed: no response within 50 ms.

      URL: http://127.0.0.1:1/settle"
    `)
  })

  test('every class is a branded Tollgate error', () => {
    const errors = [
      new HeaderTooLargeError({ size: 2, maxBytes: 1 }),
      new InvalidBase64Error({ reason: 'alphabet' }),
      new InvalidJsonError(),
      new SchemaValidationError({ issues: [] }),
      new InvalidMoneyError({ reason: 'negative' }),
      new UnknownNetworkError({ network: 'x' }),
      new NotEvmNetworkError({ network: 'solana:x' }),
      new PaymentVerificationError({ reason: 'x' }),
      new PaymentSettlementError({ reason: 'x' }),
      new PaymentRequiredNotFoundError(),
      new UnsupportedX402VersionError({ version: 0 }),
      new FacilitatorError({ operation: 'supported', url: 'u', reason: 'r' }),
      new FacilitatorTimeoutError({ operation: 'supported', url: 'u', timeoutMs: 1 }),
    ]
    for (const error of errors) {
      expect(isTollgateError(error)).toBe(true)
      expect(error.code).toMatch(/^TOLLGATE_[A-Z0-9_]+$/)
      expect(error.shortMessage).not.toContain('\n')
    }
    expect(new Set(errors.map((e) => e.name)).size).toBe(errors.length)
  })
})
