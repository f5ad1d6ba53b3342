import { useDevnet } from '@tollgate/test'
import { createPublicClient, http } from 'viem'
import { expect, test } from 'vitest'
import { readAsset } from './readAsset.js'

const devnet = useDevnet({ accounts: 1 })

test('describes both devnet tokens as the devnet does, from the chain alone', async () => {
  for (const token of [devnet.usdc, devnet.usdcAlt]) {
    const asset = await readAsset(devnet.publicClient, { address: token.address })
    expect(asset).toEqual({
      chainId: token.chainId,
      network: token.network,
      address: token.address,
      symbol: token.symbol,
      decimals: token.decimals,
      eip712: token.eip712,
    })
  }
})

test('asks the node for the chain id when the client has no chain', async () => {
  const client = createPublicClient({ transport: http(devnet.rpcUrl) })
  const asset = await readAsset(client, { address: devnet.usdc.address })
  expect(asset.network).toBe(`eip155:${devnet.chainId}`)
})

test('a contract without an EIP-712 domain is refused with the reason', async () => {
  // An ERC-1271 wallet has code but no name()/version()/symbol(): not a token at all.
  const wallet = await devnet.deploySmartWallet(devnet.accounts[0]!.address)
  await expect(readAsset(devnet.publicClient, { address: wallet })).rejects.toThrow(/symbol/)
})
