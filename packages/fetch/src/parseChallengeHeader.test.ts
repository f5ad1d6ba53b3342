import { encodePaymentRequiredHeader, type PaymentRequired } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { parseChallengeHeader } from './parseChallengeHeader.js'

const paymentRequired = (amount: string): PaymentRequired => ({
  x402Version: 2,
  resource: { url: 'https://api.example/paid', description: 'paid', mimeType: 'application/json' },
  accepts: [
    {
      scheme: 'exact',
      network: 'eip155:8453',
      amount,
      asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      maxTimeoutSeconds: 60,
      extra: { name: 'USD Coin', version: '2' },
    },
  ],
})

describe('parseChallengeHeader', () => {
  test('one value is parsed once: the same frozen challenge comes back', () => {
    const header = encodePaymentRequiredHeader(paymentRequired('1000'))
    const first = parseChallengeHeader(header)
    expect(first).toMatchObject({ x402Version: 2, paymentRequired: paymentRequired('1000') })
    expect(parseChallengeHeader(header)).toBe(first)
    // Shared between purchases, so nobody may change it.
    expect(Object.isFrozen(first)).toBe(true)
    const accepted = first.paymentRequired.accepts[0]!
    expect(Object.isFrozen(accepted)).toBe(true)
    expect(() => {
      ;(accepted as { amount: string }).amount = '1'
    }).toThrow(TypeError)
    expect(() => {
      ;(accepted.extra as Record<string, unknown>).name = 'Other'
    }).toThrow(TypeError)
  })

  test('another value is another challenge', () => {
    const cheap = parseChallengeHeader(encodePaymentRequiredHeader(paymentRequired('1000')))
    const dear = parseChallengeHeader(encodePaymentRequiredHeader(paymentRequired('2000')))
    expect(dear).not.toBe(cheap)
    expect(dear.paymentRequired.accepts[0]).toMatchObject({ amount: '2000' })
  })

  test('a value that does not parse throws every time', () => {
    const broken = encodePaymentRequiredHeader({
      x402Version: 2,
      accepts: 'none',
    } as unknown as PaymentRequired)
    expect(() => parseChallengeHeader(broken)).toThrow()
    expect(() => parseChallengeHeader(broken)).toThrow()
    expect(() => parseChallengeHeader('not base64!')).toThrow()
  })

  test('it remembers a bounded number of values, the oldest going first', () => {
    const oldest = encodePaymentRequiredHeader(paymentRequired('1'))
    const kept = parseChallengeHeader(oldest)
    for (let i = 0; i < 64; i++)
      parseChallengeHeader(encodePaymentRequiredHeader(paymentRequired(String(10_000 + i))))
    const again = parseChallengeHeader(oldest)
    expect(again).not.toBe(kept)
    expect(again).toEqual(kept)
  })
})
