import { EVM_NETWORK_CHAIN_ID_MAP } from '@x402/evm/v1'
import { describe, expect, test } from 'vitest'
import { EvmNetworkToChainId, NetworkSchema, SupportedSVMNetworks } from 'x402/types'
import { NotEvmNetworkError, UnknownNetworkError } from './errors/network.js'
import {
  getEvmChainId,
  parseNetwork,
  toCaip2,
  toV1Network,
  type V1Network,
  v1Networks,
} from './networks.js'

describe('v1Networks', () => {
  test('every EVM name of the installed @x402/evm v1 table, same chain id', () => {
    for (const [name, chainId] of Object.entries(EVM_NETWORK_CHAIN_ID_MAP)) {
      expect(v1Networks[name as V1Network]).toBe(`eip155:${chainId}`)
    }
  })

  test('every name of the installed legacy x402, same chain id', () => {
    for (const name of NetworkSchema.options) expect(v1Networks).toHaveProperty(name)
    for (const [name, chainId] of EvmNetworkToChainId) {
      expect(v1Networks[name as V1Network]).toBe(`eip155:${chainId}`)
    }
    for (const name of SupportedSVMNetworks)
      expect(v1Networks[name].startsWith('solana:')).toBe(true)
  })

  test('the full list (a change here is a reviewed diff)', () => {
    expect(Object.keys(v1Networks)).toMatchInlineSnapshot(`
      [
        "ethereum",
        "sepolia",
        "abstract",
        "abstract-testnet",
        "base-sepolia",
        "base",
        "avalanche-fuji",
        "avalanche",
        "iotex",
        "sei",
        "sei-testnet",
        "polygon",
        "polygon-amoy",
        "peaq",
        "story",
        "educhain",
        "skale-base-sepolia",
        "megaeth",
        "monad",
        "stable",
        "stable-testnet",
        "celo",
        "flare",
        "solana",
        "solana-devnet",
        "solana-testnet",
        "algorand-mainnet",
        "algorand-testnet",
      ]
    `)
  })

  test('the CAIP-2 ids are distinct, so the reverse map is a function', () => {
    const ids = Object.values(v1Networks)
    expect(new Set(ids).size).toBe(ids.length)
  })
})

describe('parseNetwork', () => {
  test('a v1 name', () => {
    expect(parseNetwork('base-sepolia')).toEqual({
      caip2: 'eip155:84532',
      namespace: 'eip155',
      reference: '84532',
      chainId: 84532,
      v1Name: 'base-sepolia',
    })
  })

  test('a CAIP-2 id with a v1 name', () => {
    expect(parseNetwork('eip155:8453')).toEqual({
      caip2: 'eip155:8453',
      namespace: 'eip155',
      reference: '8453',
      chainId: 8453,
      v1Name: 'base',
    })
  })

  test('a CAIP-2 id without one (anvil)', () => {
    expect(parseNetwork('eip155:31337')).toEqual({
      caip2: 'eip155:31337',
      namespace: 'eip155',
      reference: '31337',
      chainId: 31337,
    })
  })

  test('solana, algorand and other namespaces', () => {
    expect(parseNetwork('solana-devnet')).toEqual({
      caip2: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      namespace: 'solana',
      reference: 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      v1Name: 'solana-devnet',
    })
    expect(parseNetwork('algorand:SGO1GKSzyE7IEPItTxCByw9x8FmnrCDexi9/cOUJOiI=').v1Name).toBe(
      'algorand-testnet',
    )
    expect(parseNetwork('x402:cash')).toEqual({
      caip2: 'x402:cash',
      namespace: 'x402',
      reference: 'cash',
    })
    expect(parseNetwork('icp:mainnet').namespace).toBe('icp')
  })

  test.each([
    'base-mainnet',
    'Base',
    'BASE-SEPOLIA',
    '',
    ':',
    'eip155:',
    ':8453',
    'eip155:0',
    'eip155:-1',
    'eip155:08453',
    'eip155:8453.0',
    'eip155:1e3',
    'eip155:abc',
    'eip155:99999999999999999',
    'EIP155:8453',
    'ab:1',
    'namespacetoolong:1',
    'eip155:8453 ',
    ' eip155:8453',
    'eip155:84:53',
    'constructor',
    '__proto__',
    'toString',
    `eip155:${'1'.repeat(100)}`,
    `solana:${'a'.repeat(65)}`,
  ])('rejects %j with UnknownNetworkError', (network) => {
    expect(() => parseNetwork(network)).toThrow(UnknownNetworkError)
  })

  test('non-string input is an UnknownNetworkError, not a TypeError', () => {
    expect(() => parseNetwork(8453 as unknown as string)).toThrow(UnknownNetworkError)
    expect(() => parseNetwork(undefined as unknown as string)).toThrow(UnknownNetworkError)
  })
})

describe('both ways', () => {
  test.each(Object.entries(v1Networks))('%s <-> %s', (name, caip2) => {
    expect(toCaip2(name)).toBe(caip2)
    expect(toCaip2(caip2)).toBe(caip2)
    expect(toV1Network(caip2)).toBe(name)
    expect(toV1Network(name)).toBe(name)
  })

  test('no v1 name for an unlisted chain', () => {
    expect(toV1Network('eip155:31337')).toBeUndefined()
  })
})

describe('getEvmChainId', () => {
  test('from a name or a CAIP-2 id', () => {
    expect(getEvmChainId('base')).toBe(8453)
    expect(getEvmChainId('eip155:84532')).toBe(84532)
    expect(getEvmChainId('skale-base-sepolia')).toBe(324705682)
    expect(getEvmChainId('eip155:9007199254740991')).toBe(Number.MAX_SAFE_INTEGER)
  })

  test('throws NotEvmNetworkError outside eip155, UnknownNetworkError for garbage', () => {
    expect(() => getEvmChainId('solana')).toThrow(NotEvmNetworkError)
    expect(() => getEvmChainId('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp')).toThrow(
      NotEvmNetworkError,
    )
    expect(() => getEvmChainId('nope')).toThrow(UnknownNetworkError)
  })
})
