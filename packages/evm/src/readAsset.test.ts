import { useDevnet } from '@tollgate/test'
import { createPublicClient, http } from 'viem'
import { expect, test } from 'vitest'
import { NotATokenError } from './errors.js'
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
  const error = await readAsset(devnet.publicClient, { address: wallet }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(NotATokenError)
  expect(error).toMatchObject({ code: 'TOLLGATE_EVM_NOT_A_TOKEN' })
  expect((error as Error).message).toContain(wallet)
})

test('an RPC that is down is an RPC error, not a verdict on the token', async () => {
  const client = createPublicClient({ chain: devnet.chain, transport: http('http://127.0.0.1:1') })
  const error = await readAsset(client, { address: devnet.usdc.address }).catch((e: unknown) => e)
  expect(error).not.toBeInstanceOf(NotATokenError)
  expect(error).toBeInstanceOf(Error)
})
