import { useDevnet } from '@tollgate/test'
import { createPublicClient, defineChain, http } from 'viem'
import { expect, test } from 'vitest'
import { balanceOf, randomAddress, transferOut } from '../../test/fixtures.js'
import { createBalanceCache } from './createBalanceCache.js'
import { createBlockWatcher } from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'

const devnet = useDevnet({ accounts: 2 })

test('balances are read once, then kept current from Transfer logs', async () => {
  let calls = 0
  const client = createPublicClient({
    chain: defineChain({
      id: devnet.chainId,
      name: 'devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [devnet.rpcUrl] } },
    }),
    transport: http(devnet.rpcUrl, {
      onFetchRequest: async (request) => {
        if ((await request.clone().text()).includes('"eth_call"')) calls++
      },
    }),
  }) as unknown as ChainClient
  const watcher = createBlockWatcher(client)
  const cache = createBalanceCache(client, watcher, { assets: [devnet.usdc.address] })
  watcher.subscribe(cache.handle)

  const [payer, other] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  const start = await cache.get({ asset: devnet.usdc.address, payer: payer.address })
  expect(start.balance).toBe(await balanceOf(devnet, payer.address))
  expect(calls).toBe(1)

  // Money in and out, by transfers the facilitator knows nothing about.
  await transferOut(devnet, other.account, payer.address, 700n)
  await transferOut(devnet, payer.account, randomAddress(), 200n)
  const head = await watcher.poll()
  const after = await cache.get({ asset: devnet.usdc.address, payer: payer.address })
  expect(after).toEqual({ balance: start.balance + 500n, block: head!.number })
  expect(after.balance).toBe(await balanceOf(devnet, payer.address))
  expect(calls).toBe(1)

  // A reorg drops the cache: the next read goes to the chain.
  await devnet.testClient.request({ method: 'anvil_reorg' as never, params: [1, []] as never })
  await watcher.poll()
  expect(cache.size).toBe(0)
  expect((await cache.get({ asset: devnet.usdc.address, payer: payer.address })).balance).toBe(
    await balanceOf(devnet, payer.address),
  )
  expect(calls).toBe(2)
})
