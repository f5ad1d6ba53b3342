import { identityRegistryAbi } from '@tollgate/contracts'
import { type Address, zeroAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { toDataUri } from './fetchDocument.js'
import { findAgents } from './findAgents.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { setAgentUri } from './setAgentUri.js'
import { setAgentWallet } from './setAgentWallet.js'

const chain = useRegistries()
const ids: Record<string, bigint> = {}

const register = async (
  name: string,
  owner: number,
  options: Partial<Parameters<typeof createRegistrationFile>[0]> = {},
) => {
  const { agentId } = await registerAgent(chain.wallet(owner), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name, ...options }),
    publish: { kind: 'data' },
  })
  ids[name] = agentId
  await chain.devnet.testClient.mine({ blocks: 3 })
}

beforeAll(async () => {
  const registry = chain.registries.identityRegistry
  await register('seller', 0, {
    services: [{ name: 'web', endpoint: 'https://seller.example/api' }],
    x402Support: true,
  })
  await register('mcp-free', 1, {
    services: [{ name: 'MCP', endpoint: 'https://mcp.example', version: '2025-06-18' }],
  })
  await register('retired', 2, {
    services: [{ name: 'web', endpoint: 'https://old.example' }],
    x402Support: true,
    active: false,
  })
  await register('both', 0, {
    services: [
      { name: 'web', endpoint: 'https://both.example' },
      { name: 'MCP', endpoint: 'https://both.example/mcp' },
    ],
    x402Support: true,
    supportedTrust: ['reputation'],
  })
  // No URI, and a URI that is not a registration file.
  const hash = await chain.wallet(3).writeContract({
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'register',
    args: [],
  })
  await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
  ids.bare = (ids.both ?? 0n) + 1n
  await register('broken', 3)
  await setAgentUri(chain.wallet(3), {
    registry,
    agentId: ids.broken!,
    uri: toDataUri('{"not":"a registration"}'),
  })

  // A URI update, a new wallet, and a transfer (which clears the wallet) then a new wallet.
  await setAgentUri(chain.wallet(1), {
    registry,
    agentId: ids['mcp-free']!,
    uri: toDataUri(
      JSON.stringify(
        createRegistrationFile({
          name: 'mcp-paid',
          services: [{ name: 'MCP', endpoint: 'https://mcp.example' }],
          x402Support: true,
        }),
      ),
    ),
  })
  await setAgentWallet(chain.wallet(0), {
    registry,
    agentId: ids.seller!,
    wallet: privateKeyToAccount(generatePrivateKey()),
  })
  const moved = await chain.wallet(2).writeContract({
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'transferFrom',
    args: [chain.devnet.accounts[2]!.address, chain.devnet.accounts[1]!.address, ids.retired!],
  })
  await chain.devnet.publicClient.waitForTransactionReceipt({ hash: moved })
  await setAgentWallet(chain.wallet(0), {
    registry,
    agentId: ids.both!,
    wallet: privateKeyToAccount(generatePrivateKey()),
  })
  const transferred = await chain.wallet(0).writeContract({
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'transferFrom',
    args: [chain.devnet.accounts[0]!.address, chain.devnet.accounts[2]!.address, ids.both!],
  })
  await chain.devnet.publicClient.waitForTransactionReceipt({ hash: transferred })
  await setAgentWallet(chain.wallet(2), {
    registry,
    agentId: ids.both!,
    wallet: privateKeyToAccount(generatePrivateKey()),
  })
})

/** The registry's state read id by id (ids are contiguous from 0) until `ownerOf` reverts. */
async function probe() {
  const client = chain.devnet.publicClient
  const contract = { address: chain.registries.identityRegistry, abi: identityRegistryAbi } as const
  const agents: {
    agentId: bigint
    owner: Address
    agentURI: string
    agentWallet: Address | undefined
  }[] = []
  for (let agentId = 0n; ; agentId++) {
    let owner: Address
    try {
      owner = await client.readContract({ ...contract, functionName: 'ownerOf', args: [agentId] })
    } catch {
      return agents
    }
    const [agentURI, wallet] = await Promise.all([
      client.readContract({ ...contract, functionName: 'tokenURI', args: [agentId] }),
      client.readContract({ ...contract, functionName: 'getAgentWallet', args: [agentId] }),
    ])
    agents.push({
      agentId,
      owner,
      agentURI,
      agentWallet: wallet === zeroAddress ? undefined : wallet,
    })
  }
}

describe('findAgents', () => {
  test('the event scan equals the ownerOf probe, whatever the chunk size', async () => {
    const expected = await probe()
    expect(expected).toHaveLength(6)
    // Sanity: the scenario covered what it should.
    expect(expected.find((a) => a.agentId === ids.retired)?.agentWallet).toBeUndefined()
    expect(expected.find((a) => a.agentId === ids.bare)?.agentURI).toBe('')
    for (const chunkSize of [1n, 4n, 10_000n]) {
      const found = await findAgents(chain.devnet.publicClient, {
        registry: chain.registries.identityRegistry,
        chunkSize,
      })
      expect(
        found.map(({ agentId, owner, agentURI, agentWallet }) => ({
          agentId,
          owner,
          agentURI,
          agentWallet,
        })),
      ).toEqual(expected)
      expect(found.every((agent) => agent.resolved === undefined)).toBe(true)
    }
  })

  test('fromBlock and toBlock bound the scan', async () => {
    const all = await findAgents(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
    })
    const third = all[2]!
    const later = await findAgents(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      fromBlock: third.registeredAt.blockNumber,
    })
    expect(later.map((a) => a.agentId)).toEqual(all.slice(2).map((a) => a.agentId))
    const earlier = await findAgents(chain.devnet.publicClient, {
      registry: `eip155:${chain.devnet.chainId}:${chain.registries.identityRegistry}`,
      toBlock: third.registeredAt.blockNumber - 1n,
    })
    expect(earlier.map((a) => a.agentId)).toEqual([ids.seller, ids['mcp-free']])
  })

  test('filters on the files: service, x402Support, active, supportedTrust', async () => {
    const find = async (filter: Parameters<typeof findAgents>[1]['filter']) =>
      (
        await findAgents(chain.devnet.publicClient, {
          registry: chain.registries.identityRegistry,
          chunkSize: 5n,
          filter,
        })
      ).map((agent) => agent.agentId)
    expect(await find({ service: 'mcp' })).toEqual([ids['mcp-free'], ids.both])
    expect(await find({ service: ['web', 'MCP'] })).toEqual([ids.both])
    expect(await find({ x402Support: true, active: true })).toEqual([
      ids.seller,
      ids['mcp-free'],
      ids.both,
    ])
    expect(await find({ active: false })).toEqual([ids.retired])
    expect(await find({ x402Support: false })).toEqual([])
    expect(await find({ supportedTrust: 'reputation' })).toEqual([ids.both])
    // Agents without a readable file never pass a filter.
    expect(await find({})).toEqual([ids.seller, ids['mcp-free'], ids.retired, ids.both])
  })

  test('includeFiles resolves each agent and keeps the ones that fail', async () => {
    const found = await findAgents(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      includeFiles: true,
    })
    const paid = found.find((a) => a.agentId === ids['mcp-free'])!
    expect(paid.resolved?.file?.name).toBe('mcp-paid')
    expect(paid.resolved?.getService('mcp')?.endpoint).toBe('https://mcp.example')
    expect(paid.resolved?.flags.registrationMismatch).toBe(true)
    expect(found.find((a) => a.agentId === ids.seller)?.resolved?.flags.registrationMismatch).toBe(
      false,
    )
    const bare = found.find((a) => a.agentId === ids.bare)!
    expect(bare.resolved?.flags.uriUnset).toBe(true)
    const broken = found.find((a) => a.agentId === ids.broken)!
    expect(broken.resolved).toBeUndefined()
    expect((broken.fileError as Error).name).toBe('InvalidRegistrationFileError')
  })
})
