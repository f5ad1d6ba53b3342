import type { Asset } from '@tollgate/evm'
import { describe, expect, test } from 'vitest'
import { PriceResolutionError } from '../errors.js'
import { priceOffer } from './price.js'
import { resolveOffer } from './resolveOffer.js'

const payTo = '0x1111111111111111111111111111111111111111'
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

const request = (params: Record<string, string> = {}) => ({
  method: 'GET',
  path: '/report',
  url: 'http://127.0.0.1/report?x=1',
  header: () => undefined,
  params,
  raw: undefined,
})

describe('priceOffer', () => {
  test('calls price functions per request', async () => {
    const route = resolveOffer<ReturnType<typeof request>>(
      'GET /items/:n',
      { payTo, network: 'eip155:31337', price: (req) => `$${req.params.n}` },
      { assets: devAssets },
    )
    expect(route.options[0]!.requirements).toBeUndefined()
    const [first] = await priceOffer(route, request({ n: '2' }), devAssets)
    expect(first?.amount).toBe('2000000')
    const [second] = await priceOffer(route, request({ n: '0.5' }), devAssets)
    expect(second?.amount).toBe('500000')
  })

  test('a price function that throws or returns nonsense is a PriceResolutionError', async () => {
    const throwing = resolveOffer('GET /a', {
      payTo,
      network: 'base',
      price: () => {
        throw new Error('no price today')
      },
    })
    await expect(priceOffer(throwing, request(), undefined)).rejects.toThrow(PriceResolutionError)
    const nonsense = resolveOffer('GET /a', { payTo, network: 'base', price: async () => 'abc' })
    await expect(priceOffer(nonsense, request(), undefined)).rejects.toThrow(
      /could not be resolved/,
    )
  })
})
