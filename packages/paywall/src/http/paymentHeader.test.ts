import { encodeHeader, type PaymentRequirements } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { isRejection } from '../payment/parsePayment.js'
import { paywallReasons } from '../reasons.js'
import { decodePaymentHeader, readPaymentHeader } from './paymentHeader.js'

const payTo = '0x1111111111111111111111111111111111111111'
const requirement: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo,
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
}
const exact = {
  signature: `0x${'ab'.repeat(65)}`,
  authorization: {
    from: '0x2222222222222222222222222222222222222222',
    to: payTo,
    value: '10000',
    validAfter: '0',
    validBefore: '9999999999',
    nonce: `0x${'01'.repeat(32)}`,
  },
}
const v2 = { x402Version: 2, accepted: requirement, payload: exact }
const v1 = { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: exact }
const decode = (value: unknown, maxBytes = 16_384) =>
  decodePaymentHeader(typeof value === 'string' ? value : encodeHeader(value), { maxBytes })

describe('readPaymentHeader', () => {
  test('PAYMENT-SIGNATURE wins over X-PAYMENT; neither is undefined', () => {
    const headers: Record<string, string> = { 'payment-signature': ' a ', 'x-payment': 'b' }
    const header = (name: string) => headers[name.toLowerCase()]
    expect(readPaymentHeader({ header })).toEqual({ name: 'PAYMENT-SIGNATURE', value: 'a' })
    delete headers['payment-signature']
    expect(readPaymentHeader({ header })).toEqual({ name: 'X-PAYMENT', value: 'b' })
    expect(readPaymentHeader({ header: () => undefined })).toBeUndefined()
  })
})

describe('decodePaymentHeader', () => {
  test('decodes both versions, whichever header carried them', () => {
    expect(decode(v2)).toMatchObject({ x402Version: 2, authorization: exact })
    expect(decode(v1)).toMatchObject({ x402Version: 1, payload: v1, authorization: exact })
  })

  test('unknown keys survive (they take part in matching)', () => {
    const decoded = decode({ ...v2, accepted: { ...requirement, future: 1 } })
    expect(isRejection(decoded)).toBe(false)
    expect(
      !isRejection(decoded) && decoded.payload.x402Version === 2 && decoded.payload.accepted.future,
    ).toBe(1)
  })

  test.each([
    ['not base64', '***', paywallReasons.invalidHeaderEncoding],
    [
      'base64url',
      `${encodeHeader({ a: '???>>>' }).replace(/\+/g, '-').replace(/\//g, '_')}-_`,
      paywallReasons.invalidHeaderEncoding,
    ],
    ['unpadded', 'e30', paywallReasons.invalidHeaderEncoding],
    [
      'base64 of text',
      Buffer.from('hello, world').toString('base64'),
      paywallReasons.invalidHeaderJson,
    ],
    ['too large', encodeHeader({ pad: 'x'.repeat(200) }), paywallReasons.headerTooLarge, 100],
    ['x402Version 3', { ...v2, x402Version: 3 }, paywallReasons.invalidX402Version],
    ['no x402Version', { accepted: requirement }, paywallReasons.invalidX402Version],
    ['v2 without accepted', { x402Version: 2, payload: exact }, paywallReasons.invalidPayload],
    ['v2 with a null accepted', { ...v2, accepted: null }, paywallReasons.invalidPayload],
    ['a JSON array', [1, 2], paywallReasons.invalidX402Version],
    [
      'a non-EVM payload',
      { ...v2, payload: { transaction: 'AQID' } },
      paywallReasons.invalidPayload,
    ],
    [
      'an unknown scheme',
      { ...v2, accepted: { ...requirement, scheme: 'deferred' }, payload: { voucher: 1 } },
      paywallReasons.unsupportedScheme,
    ],
    ['v1 without network', { ...v1, network: undefined }, paywallReasons.invalidPayload],
  ])('%s: %s', (_name, value, reason, maxBytes?: number) => {
    const decoded = decode(value, maxBytes)
    expect(isRejection(decoded) && decoded.reason).toBe(reason)
    expect(isRejection(decoded) && decoded.message.length).toBeGreaterThan(10)
  })
})
