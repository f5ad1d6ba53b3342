import { describe, expect, test } from 'vitest'
import type { SupportedResponse } from '../schemas/v2.js'
import {
  findSupportedKind,
  readSettlementModes,
  type SettlementMode,
  selectSettlementMode,
} from './settlement.js'

const supported: SupportedResponse = {
  kinds: [
    { x402Version: 1, scheme: 'exact', network: 'base-sepolia' },
    {
      x402Version: 2,
      scheme: 'exact',
      network: 'eip155:84532',
      extra: { settlementModes: ['submitted', 'mined', 'queued'] },
    },
    { x402Version: 2, scheme: 'exact', network: 'eip155:31337', extra: { settlementModes: 'all' } },
  ],
  extensions: [],
  signers: {},
}

describe('findSupportedKind', () => {
  test('matches by scheme and network in either spelling, preferring the same version', () => {
    expect(
      findSupportedKind(supported, { x402Version: 2, scheme: 'exact', network: 'base-sepolia' }),
    ).toBe(supported.kinds[1])
    expect(
      findSupportedKind(supported, { x402Version: 1, scheme: 'exact', network: 'eip155:84532' }),
    ).toBe(supported.kinds[0])
    // No v1 entry for the devnet: the v2 one answers for it.
    expect(
      findSupportedKind(supported, { x402Version: 1, scheme: 'exact', network: 'eip155:31337' }),
    ).toBe(supported.kinds[2])
  })

  test('another scheme or network, or a name no registry knows: none', () => {
    expect(
      findSupportedKind(supported, { scheme: 'upto', network: 'eip155:84532' }),
    ).toBeUndefined()
    expect(
      findSupportedKind(supported, { scheme: 'exact', network: 'eip155:8453' }),
    ).toBeUndefined()
    expect(
      findSupportedKind(supported, { scheme: 'exact', network: 'no-such-net' }),
    ).toBeUndefined()
  })
})

describe('readSettlementModes', () => {
  test('known modes in strength order; no list (or not a list) is undefined', () => {
    expect(readSettlementModes(supported.kinds[1]!)).toEqual(['submitted', 'queued'])
    expect(readSettlementModes(supported.kinds[0]!)).toBeUndefined()
    expect(readSettlementModes(supported.kinds[2]!)).toBeUndefined()
  })
})

describe('selectSettlementMode', () => {
  const cases: [readonly SettlementMode[], SettlementMode, SettlementMode | undefined][] = [
    [['confirmed', 'submitted', 'queued'], 'queued', 'queued'],
    [['confirmed'], 'confirmed', 'confirmed'],
    [['confirmed'], 'submitted', 'confirmed'],
    [['confirmed'], 'queued', 'confirmed'],
    [['confirmed', 'submitted'], 'queued', 'submitted'],
    [['submitted', 'queued'], 'confirmed', undefined],
    [['queued'], 'submitted', undefined],
    [[], 'queued', undefined],
  ]
  test.each(cases)('honoured %j, asked %s: %s', (honoured, wanted, expected) => {
    expect(selectSettlementMode(honoured, wanted)).toBe(expected)
  })
})
