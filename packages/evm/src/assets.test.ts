import { DEFAULT_ASSETS } from '@x402/evm'
import { getAddress } from 'viem'
import { describe, expect, test } from 'vitest'
import { evm as legacyEvm } from 'x402/types'
import { type Asset, assets, getAsset, getDefaultAsset } from './assets.js'

describe('assets', () => {
  test('every entry is well formed: checksummed address, network matches chainId, 6-decimal USDC', () => {
    for (const asset of assets) {
      expect(asset.address).toBe(getAddress(asset.address))
      expect(asset.network).toBe(`eip155:${asset.chainId}`)
      expect(asset).toMatchObject({ symbol: 'USDC', decimals: 6, eip712: { version: '2' } })
      expect(['USD Coin', 'USDC']).toContain(asset.eip712.name)
    }
    expect(new Set(assets.map((asset) => asset.chainId)).size).toBe(assets.length)
  })

  test('covers the main chains and testnets', () => {
    const chains = assets.map((asset) => asset.chainId)
    for (const id of [
      1, 8453, 10, 42161, 137, 43114, 11155111, 84532, 11155420, 421614, 80002, 43113,
    ])
      expect(chains).toContain(id)
  })

  test('Base is "USD Coin", Base Sepolia is "USDC"', () => {
    expect(
      getAsset({ network: 'eip155:8453', address: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913' })
        ?.eip712,
    ).toEqual({ name: 'USD Coin', version: '2' })
    expect(getDefaultAsset('eip155:84532')?.eip712).toEqual({ name: 'USDC', version: '2' })
  })

  test('agrees with the reference default assets (@x402/evm DEFAULT_ASSETS) wherever both list USDC', () => {
    let compared = 0
    for (const [network, entries] of Object.entries(DEFAULT_ASSETS)) {
      for (const entry of entries as readonly {
        asset: string
        name: string
        version: string
        symbol: string
      }[]) {
        const ours = getAsset({ network, address: entry.asset })
        if (!ours) continue
        compared++
        expect({ network, ...ours.eip712 }).toEqual({
          network,
          name: entry.name,
          version: entry.version,
        })
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10)
  })

  test('agrees with the legacy x402 1.2.0 USDC config (usdcName) wherever both list the chain', () => {
    let compared = 0
    for (const [chainId, entry] of Object.entries(legacyEvm.config)) {
      if (!entry.usdcAddress.startsWith('0x')) continue
      const ours = getAsset({ network: `eip155:${chainId}`, address: entry.usdcAddress })
      if (!ours) continue
      compared++
      expect({ chainId, name: ours.eip712.name }).toEqual({ chainId, name: entry.usdcName })
    }
    expect(compared).toBeGreaterThanOrEqual(8)
  })
})

describe('getAsset / getDefaultAsset', () => {
  test('accepts v1 network names and any address case', () => {
    expect(
      getAsset({ network: 'base', address: '0x833589FCD6EDB6E08F4C7C32D4F71B54BDA02913' })?.chainId,
    ).toBe(8453)
    expect(getDefaultAsset('base-sepolia')?.address).toBe(
      '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    )
  })

  test('unknown network, address or non-EVM network: undefined', () => {
    expect(
      getAsset({ network: 'eip155:8453', address: '0x0000000000000000000000000000000000000001' }),
    ).toBeUndefined()
    expect(getDefaultAsset('eip155:999999')).toBeUndefined()
    expect(getDefaultAsset('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1')).toBeUndefined()
    expect(getDefaultAsset('not-a-network')).toBeUndefined()
  })

  test('a custom registry replaces the default one', () => {
    const devnet: Asset[] = [
      {
        chainId: 31337,
        network: 'eip155:31337',
        address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        symbol: 'USDC',
        decimals: 6,
        eip712: { name: 'USD Coin', version: '2' },
      },
    ]
    expect(getDefaultAsset('eip155:31337', { assets: devnet })).toBe(devnet[0])
    expect(
      getAsset({
        network: 'eip155:31337',
        address: devnet[0]!.address.toLowerCase(),
        assets: devnet,
      }),
    ).toBe(devnet[0])
    expect(getDefaultAsset('eip155:8453', { assets: devnet })).toBeUndefined()
    expect(getDefaultAsset('eip155:31337')).toBeUndefined()
  })
})
