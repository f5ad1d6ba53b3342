import { describe, expect, test } from 'vitest'
import * as spec from '../../test/specExamples.js'
import {
  extensionsSchema,
  paymentIdentifierExtensionSchema,
  paymentIdentifierKey,
  paymentIdSchema,
} from './extensions.js'

describe('extensions', () => {
  test('a map of { info, schema } entries; other keys survive', () => {
    const extensions = {
      bazaar: { info: { input: { type: 'http' } }, schema: { type: 'object' } },
      'sign-in-with-x': {
        info: { domain: 'example.com', nonce: 'abc' },
        supportedChains: [{ chainId: 'eip155:8453', type: 'eip191' }],
        schema: {},
      },
      empty: {},
    }
    expect(extensionsSchema.parse(extensions)).toEqual(extensions)
    expect(extensionsSchema.safeParse({ bazaar: 'x' }).success).toBe(false)
    expect(extensionsSchema.safeParse({ bazaar: null }).success).toBe(false)
  })

  test('payment-identifier: the specification example', () => {
    expect(paymentIdentifierKey).toBe('payment-identifier')
    expect(paymentIdentifierExtensionSchema.parse(spec.paymentIdentifierExtension)).toEqual(
      spec.paymentIdentifierExtension,
    )
    // The server's advertisement has no id yet.
    const advertised = { info: { required: true }, schema: {} }
    expect(paymentIdentifierExtensionSchema.parse(advertised)).toEqual(advertised)
  })

  test('payment-identifier: id is 16..128 of [A-Za-z0-9_-]', () => {
    expect(paymentIdSchema.safeParse('a'.repeat(16)).success).toBe(true)
    expect(paymentIdSchema.safeParse('a'.repeat(128)).success).toBe(true)
    expect(paymentIdSchema.safeParse('a'.repeat(15)).success).toBe(false)
    expect(paymentIdSchema.safeParse('a'.repeat(129)).success).toBe(false)
    expect(paymentIdSchema.safeParse('pay_with spaces__').success).toBe(false)
    expect(paymentIdSchema.safeParse('pay_ünïcode_12345').success).toBe(false)
    const bad = { info: { id: 'short' } }
    expect(paymentIdentifierExtensionSchema.safeParse(bad).success).toBe(false)
    expect(paymentIdentifierExtensionSchema.safeParse({ info: { required: 'yes' } }).success).toBe(
      false,
    )
  })
})
