import { useDevnet } from '@tollgate/test'
import { createPublicClient, custom, http } from 'viem'
import { expect, test } from 'vitest'
import { readTokenDomain } from './readTokenDomain.js'

const devnet = useDevnet({ accounts: 1 })

function recordingClient() {
  const methods: string[] = []
  const transport = http(devnet.rpcUrl)({ chain: devnet.chain })
  const client = createPublicClient({
    chain: devnet.chain,
    transport: custom({
      request: (args) => {
        methods.push(args.method)
        return transport.request(args)
      },
    }),
  })
  return { client, methods }
}

test('reads name() and version() of both devnet tokens', async () => {
  expect(await readTokenDomain(devnet.publicClient, { asset: devnet.usdc.address })).toEqual({
    name: 'USD Coin',
    version: '2',
  })
  expect(await readTokenDomain(devnet.publicClient, { asset: devnet.usdcAlt.address })).toEqual({
    name: 'USDC',
    version: '2',
  })
})

test('cached per client and asset; cache: false reads again', async () => {
  const { client, methods } = recordingClient()
  await readTokenDomain(client, { asset: devnet.usdc.address })
  await readTokenDomain(client, { asset: devnet.usdc.address.toLowerCase() as `0x${string}` })
  expect(methods).toEqual(['eth_call', 'eth_call'])
  await readTokenDomain(client, { asset: devnet.usdc.address, cache: false })
  expect(methods).toHaveLength(4)
  // Another client does not share the cache.
  const other = recordingClient()
  await readTokenDomain(other.client, { asset: devnet.usdc.address })
  expect(other.methods).toHaveLength(2)
})

test('a contract without the getters, or no contract: undefined fields', async () => {
  const wallet = await devnet.deploySmartWallet(devnet.accounts[0]!.address)
  expect(await readTokenDomain(devnet.publicClient, { asset: wallet })).toEqual({
    name: undefined,
    version: undefined,
  })
  expect(
    await readTokenDomain(devnet.publicClient, { asset: devnet.accounts[0]!.address }),
  ).toEqual({ name: undefined, version: undefined })
})
