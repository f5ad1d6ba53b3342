import { reasons } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import type { SettlementEntry } from '../ledger/types.js'
import { termsMismatch } from './termsMismatch.js'

const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const payee = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'
const entry: SettlementEntry = {
  chainId: 31337,
  asset: token,
  payer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  nonce: `0x${'11'.repeat(32)}`,
  payee,
  value: 1_000n,
  validAfter: 0n,
  validBefore: 9_999_999_999n,
  signature: `0x${'ab'.repeat(65)}`,
}
const v2 = {
  scheme: 'exact',
  network: 'eip155:31337',
  amount: '1000',
  asset: token.toUpperCase().replace('0X', '0x'),
  payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2' },
} as const
const permit2 = (scheme: 'exact' | 'upto', value = 1_000n): SettlementEntry => ({
  ...entry,
  value,
  permit2: { scheme, permitted: 1_000n },
})

describe('termsMismatch', () => {
  test('EIP-3009: agrees whatever the case of the addresses; names the payee or the price that differs', () => {
    expect(termsMismatch(entry, v2)).toBeUndefined()
    expect(termsMismatch(entry, { ...v2, payTo: token })).toBe(
      reasons.invalidExactEvmRecipientMismatch,
    )
    expect(termsMismatch(entry, { ...v2, amount: '999' })).toBe(
      reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    )
    expect(termsMismatch(entry, { ...v2, amount: 'ten' })).toBe(reasons.invalidPaymentRequirements)
  })

  test('v1 requirements: the price is maxAmountRequired', () => {
    const v1 = {
      scheme: 'exact',
      network: 'base-sepolia',
      maxAmountRequired: '1000',
      resource: 'https://api.example.com/a',
      description: '',
      mimeType: 'application/json',
      payTo: payee,
      maxTimeoutSeconds: 60,
      asset: token,
    } as const
    expect(termsMismatch(entry, v1)).toBeUndefined()
    expect(termsMismatch(entry, { ...v1, maxAmountRequired: '2000' })).toBe(
      reasons.invalidExactEvmPayloadAuthorizationValueMismatch,
    )
  })

  test('Permit2: the signed token and permitted amount; upto charges within its maximum', () => {
    expect(termsMismatch(permit2('exact'), v2)).toBeUndefined()
    expect(termsMismatch(permit2('exact'), { ...v2, payTo: token })).toBe(
      reasons.invalidPermit2RecipientMismatch,
    )
    expect(termsMismatch(permit2('exact'), { ...v2, asset: payee })).toBe(
      reasons.permit2TokenMismatch,
    )
    expect(termsMismatch(permit2('exact'), { ...v2, amount: '10' })).toBe(
      reasons.permit2AmountMismatch,
    )
    // `upto`: the row's value is this request's charge; the maximum was checked before.
    expect(
      termsMismatch(permit2('upto', 10n), { ...v2, scheme: 'upto', amount: '10' }),
    ).toBeUndefined()
  })
})
