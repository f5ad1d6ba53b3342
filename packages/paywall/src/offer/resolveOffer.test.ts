import type { Asset } from '@tollgate/evm'
import { describe, expect, test } from 'vitest'
import { RouteConfigurationError } from '../errors.js'
import { resolveOffer } from './resolveOffer.js'

const payTo = '0x1111111111111111111111111111111111111111'
const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const devToken = '0x2222222222222222222222222222222222222222'
const devAssets: readonly Asset[] = [
  {
    chainId: 31337,
    network: 'eip155:31337',
    address: devToken,
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: 'USD Coin', version: '2' },
  },
]

describe('resolveOffer', () => {
  test('"$0.01" on a v1 network name: default USDC, 6 decimals, its EIP-712 domain', () => {
    const route = resolveOffer('GET /report', {
      price: '$0.01',
      payTo,
      network: 'base-sepolia',
      description: 'A report',
      mimeType: 'application/json',
    })
    expect(route.options[0]!.requirements).toEqual({
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '10000',
      asset: baseSepoliaUsdc,
      payTo,
      maxTimeoutSeconds: 300,
      extra: { name: 'USDC', version: '2' },
    })
    expect(route).toMatchObject({
      settlement: undefined,
      order: 'serve-first',
      description: 'A report',
    })
  })

  test('one rule: a string or number is whole units, asset named or not; atomic only as a bigint or { amount, asset }', () => {
    const amount = (config: Parameters<typeof resolveOffer>[1]) =>
      resolveOffer('r', config, { assets: devAssets }).options[0]!.requirements!.amount
    const base = { payTo, network: 'eip155:31337' }
    // One token, not one atomic unit.
    expect(amount({ ...base, price: '1' })).toBe('1000000')
    expect(amount({ ...base, price: '1', asset: devToken })).toBe('1000000')
    expect(amount({ ...base, price: '1.0' })).toBe('1000000')
    expect(amount({ ...base, price: '0.01' })).toBe('10000')
    // Ten thousand tokens, with or without `asset`: the same meaning either way.
    expect(amount({ ...base, price: '10000' })).toBe('10000000000')
    expect(amount({ ...base, price: '10000', asset: devToken })).toBe('10000000000')
    expect(amount({ ...base, price: '$1', asset: devToken })).toBe('1000000')
    expect(amount({ ...base, price: 0.25 })).toBe('250000')
    // Atomic units: a bigint (of the option's asset) or { amount, asset }.
    expect(amount({ ...base, price: 10000n })).toBe('10000')
    expect(amount({ ...base, price: 10000n, asset: devToken })).toBe('10000')
    expect(amount({ ...base, price: { amount: 10000n, asset: devToken } })).toBe('10000')
    expect(amount({ ...base, price: { amount: '123', asset: devToken } })).toBe('123')
    // The registry's USDC on a public network, by name.
    expect(
      resolveOffer('r', { payTo, network: 'base', price: '1' }).options[0]!.requirements!.amount,
    ).toBe('1000000')
  })

  test('a whole-unit price on a token of unknown decimals is refused, pointing at the atomic forms', () => {
    const attempt = () =>
      resolveOffer('GET /x', { payTo, network: 'eip155:31337', asset: devToken, price: '10000' })
    expect(attempt).toThrow(RouteConfigurationError)
    expect(attempt).toThrow(/decimals of asset .* are unknown, so "10000" \(whole units\)/)
    expect(attempt).toThrow('give atomic units as a bigint or { amount, asset }')
  })

  test('an { amount, asset, extra } price on a token outside the registry takes its domain from extra', () => {
    const other = '0x3333333333333333333333333333333333333333'
    const route = resolveOffer('r', {
      payTo,
      network: 'eip155:31337',
      price: { amount: 5n, asset: other, extra: { name: 'Other', version: '1' } },
    })
    expect(route.options[0]!.requirements).toMatchObject({
      asset: other,
      amount: '5',
      extra: { name: 'Other', version: '1' },
    })
  })

  test('accepts: several options, each inheriting what it does not set', () => {
    const route = resolveOffer(
      'GET /report',
      {
        payTo,
        maxTimeoutSeconds: 60,
        settlement: 'submitted',
        accepts: [
          { price: '$0.01', network: 'base-sepolia' },
          { price: 20000n, network: 'eip155:31337', asset: devToken, payTo: devToken },
        ],
      },
      { assets: devAssets },
    )
    expect(route.settlement).toBe('submitted')
    expect(route.options.map((option) => option.requirements)).toEqual([
      expect.objectContaining({
        network: 'eip155:84532',
        amount: '10000',
        maxTimeoutSeconds: 60,
        payTo,
      }),
      expect.objectContaining({
        network: 'eip155:31337',
        amount: '20000',
        asset: devToken,
        payTo: devToken,
        extra: { name: 'USD Coin', version: '2' },
      }),
    ])
  })

  test.each([
    ['`price` is missing', { payTo, network: 'base' }],
    ['`payTo` is missing', { price: '$1', network: 'base' }],
    ['`network` is missing', { price: '$1', payTo }],
    ['is not an address', { price: '$1', payTo: '0x12', network: 'base' }],
    ['unknown network', { price: '$1', payTo, network: 'no-such-chain' }],
    ['not an EVM network', { price: '$1', payTo, network: 'solana' }],
    ['no default asset', { price: '$1', payTo, network: 'eip155:31337' }],
    ['more than zero', { price: '$0', payTo, network: 'base' }],
    ['more decimal places', { price: '$0.0000001', payTo, network: 'base' }],
    ['negative', { price: '-1', payTo, network: 'base' }],
    ['EIP-712 domain', { price: 10n, payTo, network: 'eip155:31337', asset: devToken }],
    ['decimals', { price: '$1', payTo, network: 'eip155:31337', asset: devToken }],
    ['positive integer', { price: '$1', payTo, network: 'base', maxTimeoutSeconds: 0 }],
    ['not supported', { price: '$1', payTo, network: 'base', scheme: 'deferred' as 'upto' }],
    ['serve-first', { price: '$1', payTo, network: 'base', scheme: 'upto', order: 'settle-first' }],
    ['settlement mode', { price: '$1', payTo, network: 'base', settlement: 'mined' }],
    ['settlement order', { price: '$1', payTo, network: 'base', order: 'first' }],
  ] as const)('rejects a route at start-up: %s', (message, config) => {
    const attempt = () => resolveOffer('GET /x', config as Parameters<typeof resolveOffer>[1])
    expect(attempt).toThrow(RouteConfigurationError)
    expect(attempt).toThrow(message)
    expect(attempt).toThrow(/^Route "GET \/x": [^\n]*[^.]\.\n/)
    expect(attempt).toThrow(
      expect.objectContaining({ route: 'GET /x', code: 'TOLLGATE_ROUTE_CONFIGURATION' }),
    )
  })
})
