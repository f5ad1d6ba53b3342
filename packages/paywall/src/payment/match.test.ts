import type { PaymentRequirements } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { paywallReasons } from '../reasons.js'
import { matchAccepted, matchV1 } from './match.js'
import { isRejection } from './parsePayment.js'

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
const other: PaymentRequirements = { ...requirement, amount: '20000' }
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

describe('matchAccepted', () => {
  test('finds the requirement equal by content, whatever the key order', () => {
    const reordered = Object.fromEntries(Object.entries(other).reverse()) as PaymentRequirements
    expect(matchAccepted({ ...v2, accepted: reordered } as never, [requirement, other])).toBe(other)
  })

  test.each([
    ['amount', { amount: '9999' }, paywallReasons.noMatchingRequirements],
    [
      'payee',
      { payTo: '0x3333333333333333333333333333333333333333' },
      paywallReasons.noMatchingRequirements,
    ],
    [
      'extra.name',
      { extra: { name: 'USD Coin', version: '2' } },
      paywallReasons.noMatchingRequirements,
    ],
    [
      'an extra key',
      { extra: { name: 'USDC', version: '2', more: true } },
      paywallReasons.noMatchingRequirements,
    ],
    ['maxTimeoutSeconds', { maxTimeoutSeconds: 301 }, paywallReasons.noMatchingRequirements],
    [
      'asset casing',
      { asset: requirement.asset.toLowerCase() },
      paywallReasons.noMatchingRequirements,
    ],
    ['scheme', { scheme: 'upto' }, paywallReasons.unsupportedScheme],
    ['network', { network: 'eip155:8453' }, paywallReasons.invalidNetwork],
  ])('a mutated %s does not match', (_field, change, reason) => {
    const result = matchAccepted({ ...v2, accepted: { ...requirement, ...change } } as never, [
      requirement,
    ])
    expect(isRejection(result) && result.reason).toBe(reason)
  })
})

describe('matchV1', () => {
  test('matches scheme, network (v1 name or CAIP-2), payee (any case) and exact amount', () => {
    const payload = v1 as never
    expect(matchV1(payload, exact, [other, requirement])).toEqual([requirement])
    const upper = {
      ...exact,
      authorization: { ...exact.authorization, to: payTo.toUpperCase().replace('0X', '0x') },
    }
    expect(matchV1(payload, upper, [requirement])).toEqual([requirement])
    expect(matchV1({ ...v1, network: 'eip155:84532' } as never, exact, [requirement])).toEqual([
      requirement,
    ])
  })

  test('options that differ only by asset all remain candidates', () => {
    const alt = { ...requirement, asset: '0x4444444444444444444444444444444444444444' }
    expect(matchV1(v1 as never, exact, [requirement, alt])).toEqual([requirement, alt])
  })

  test.each([
    [
      'amount',
      { ...exact, authorization: { ...exact.authorization, value: '10001' } },
      v1,
      paywallReasons.noMatchingRequirements,
    ],
    [
      'payee',
      { ...exact, authorization: { ...exact.authorization, to: `0x${'5'.repeat(40)}` } },
      v1,
      paywallReasons.noMatchingRequirements,
    ],
    ['network', exact, { ...v1, network: 'base' }, paywallReasons.invalidNetwork],
    ['unknown network', exact, { ...v1, network: 'mars' }, paywallReasons.invalidNetwork],
    ['scheme', exact, { ...v1, scheme: 'upto' }, paywallReasons.unsupportedScheme],
  ])('a different %s does not match', (_field, authorization, payload, reason) => {
    const result = matchV1(payload as never, authorization, [requirement])
    expect(isRejection(result) && result.reason).toBe(reason)
  })
})
