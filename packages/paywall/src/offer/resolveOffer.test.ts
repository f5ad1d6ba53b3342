import type { Asset } from '@tollgate/evm'
import { describe, expect, test } from 'vitest'
import { PriceResolutionError, RouteConfigurationError } from '../errors.js'
import type { PaywallRequest } from './request.js'
import { getRequirements, getResource, resolveRoute, toV1Requirement } from './requirements.js'

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

const request = (params: Record<string, string> = {}): PaywallRequest => ({
  method: 'GET',
  path: '/report',
  url: 'http://127.0.0.1/report?x=1',
  header: () => undefined,
  params,
  raw: undefined,
})

describe('resolveRoute', () => {
  test('"$0.01" on a v1 network name: default USDC, 6 decimals, its EIP-712 domain', () => {
    const route = resolveRoute('GET /report', {
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
    const amount = (config: Parameters<typeof resolveRoute>[1]) =>
      resolveRoute('r', config, { assets: devAssets }).options[0]!.requirements!.amount
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
      resolveRoute('r', { payTo, network: 'base', price: '1' }).options[0]!.requirements!.amount,
    ).toBe('1000000')
  })

  test('a whole-unit price on a token of unknown decimals is refused, pointing at the atomic forms', () => {
    const attempt = () =>
      resolveRoute('GET /x', { payTo, network: 'eip155:31337', asset: devToken, price: '10000' })
    expect(attempt).toThrow(RouteConfigurationError)
    expect(attempt).toThrow(/decimals of asset .* are unknown, so "10000" \(whole units\)/)
    expect(attempt).toThrow('give atomic units as a bigint or { amount, asset }')
  })

  test('an { amount, asset, extra } price on a token outside the registry takes its domain from extra', () => {
    const other = '0x3333333333333333333333333333333333333333'
    const route = resolveRoute('r', {
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
    const route = resolveRoute(
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
    ['not supported', { price: '$1', payTo, network: 'base', scheme: 'upto' }],
    ['settlement mode', { price: '$1', payTo, network: 'base', settlement: 'mined' }],
    ['settlement order', { price: '$1', payTo, network: 'base', order: 'first' }],
  ] as const)('rejects a route at start-up: %s', (message, config) => {
    const attempt = () => resolveRoute('GET /x', config as Parameters<typeof resolveRoute>[1])
    expect(attempt).toThrow(RouteConfigurationError)
    expect(attempt).toThrow(message)
    expect(attempt).toThrow(/^Route "GET \/x": [^\n]*[^.]\.\n/)
    expect(attempt).toThrow(
      expect.objectContaining({ route: 'GET /x', code: 'TOLLGATE_ROUTE_CONFIGURATION' }),
    )
  })
})

describe('getRequirements', () => {
  test('calls price functions per request', async () => {
    const route = resolveRoute(
      'GET /items/:n',
      { payTo, network: 'eip155:31337', price: (req) => `$${req.params.n}` },
      { assets: devAssets },
    )
    expect(route.options[0]!.requirements).toBeUndefined()
    const [first] = await getRequirements(route, request({ n: '2' }), devAssets)
    expect(first?.amount).toBe('2000000')
    const [second] = await getRequirements(route, request({ n: '0.5' }), devAssets)
    expect(second?.amount).toBe('500000')
  })

  test('a price function that throws or returns nonsense is a PriceResolutionError', async () => {
    const throwing = resolveRoute('GET /a', {
      payTo,
      network: 'base',
      price: () => {
        throw new Error('no price today')
      },
    })
    await expect(getRequirements(throwing, request(), undefined)).rejects.toThrow(
      PriceResolutionError,
    )
    const nonsense = resolveRoute('GET /a', { payTo, network: 'base', price: async () => 'abc' })
    await expect(getRequirements(nonsense, request(), undefined)).rejects.toThrow(
      /could not be resolved/,
    )
  })
})

test('resource and the v1 form of a requirement', () => {
  const route = resolveRoute('GET /report', {
    price: '$0.01',
    payTo,
    network: 'base-sepolia',
    description: 'A report',
    outputSchema: { type: 'object' },
  })
  const resource = getResource(route, 'http://127.0.0.1/report')
  expect(resource).toEqual({
    url: 'http://127.0.0.1/report',
    description: 'A report',
    mimeType: '',
  })
  expect(toV1Requirement(route.options[0]!.requirements!, resource, route.outputSchema)).toEqual({
    scheme: 'exact',
    network: 'base-sepolia',
    maxAmountRequired: '10000',
    resource: 'http://127.0.0.1/report',
    description: 'A report',
    mimeType: '',
    outputSchema: { type: 'object' },
    payTo,
    maxTimeoutSeconds: 300,
    asset: baseSepoliaUsdc,
    extra: { name: 'USDC', version: '2' },
  })
  const custom = resolveRoute('GET /r', {
    price: '$1',
    payTo,
    network: 'base',
    resource: 'https://api.example/r',
  })
  expect(getResource(custom, 'http://127.0.0.1/r').url).toBe('https://api.example/r')
})
