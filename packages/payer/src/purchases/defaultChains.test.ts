import { assets } from '@tollgate/evm'
import { createPublicClient, http } from 'viem'
import { base, baseSepolia, celoSepolia, monad } from 'viem/chains'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { defaultReconcileChains, resolveReconcileChains } from './defaultChains.js'
import { createInspector } from './inspectAuthorization.js'

// The default reconciliation names each registry network's public RPC from viem's chain
// definitions. Nothing here may reach it: every fetch is counted, and must stay at zero.

const realFetch = globalThis.fetch
let calls: string[]
beforeEach(() => {
  calls = []
  globalThis.fetch = (async (input: unknown) => {
    calls.push(String(input))
    throw new Error('no network in this test')
  }) as typeof fetch
})
afterEach(() => {
  globalThis.fetch = realFetch
})

test("every registry network reconciles through its public RPC from viem's chain definitions", () => {
  const chains = defaultReconcileChains()
  expect(Object.keys(chains).sort()).toEqual([...new Set(assets.map((a) => a.network))].sort())
  expect(chains['eip155:8453']).toBe(base.rpcUrls.default.http[0])
  expect(chains['eip155:84532']).toBe(baseSepolia.rpcUrls.default.http[0])
  expect(chains['eip155:143']).toBe(monad.rpcUrls.default.http[0])
  expect(chains['eip155:11142220']).toBe(celoSepolia.rpcUrls.default.http[0])
  // A devnet is not in the registry: it has no default.
  expect(chains['eip155:31337']).toBeUndefined()
  expect(calls).toEqual([])
})

test('given chains add networks and override the defaults; false drops one, or all', () => {
  const client = createPublicClient({ transport: http('http://127.0.0.1:8545') })
  const chains = resolveReconcileChains({
    'eip155:8453': 'https://base.example/rpc',
    'eip155:84532': false,
    'eip155:31337': client,
  })
  expect(chains['eip155:8453']).toBe('https://base.example/rpc')
  expect(chains['eip155:84532']).toBeUndefined()
  expect(chains['eip155:31337']).toBe(client)
  expect(chains['eip155:42161']).toBe(defaultReconcileChains()['eip155:42161'])
  expect(resolveReconcileChains(false)).toEqual({})
  expect(calls).toEqual([])
})

test('the default inspector can prove registry networks, and calls nothing until a receipt needs it', () => {
  const send = async () => {
    throw new Error('not called')
  }
  const onError = () => {}
  const byDefault = createInspector({}, { send, onError })
  expect(byDefault.canProve('eip155:8453')).toBe(true)
  expect(byDefault.canProve('eip155:31337')).toBe(false)
  expect(createInspector(false, { send, onError }).canProve('eip155:8453')).toBe(false)
  expect(
    createInspector({ chains: { 'eip155:8453': false } }, { send, onError }).canProve(
      'eip155:8453',
    ),
  ).toBe(false)
  expect(calls).toEqual([])
})
