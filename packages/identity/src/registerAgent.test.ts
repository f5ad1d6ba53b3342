import { identityRegistryAbi } from '@tollgate/contracts'
import { keccak256, stringToBytes } from 'viem'
import { getTransactionCount } from 'viem/actions'
import { describe, expect, test } from 'vitest'
import { useDocumentServer, useRegistries } from '../test/useRegistries.js'
import { RegistrationIncompleteError, UnsupportedPublishTargetError } from './errors.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { resolveAgent } from './resolveAgent.js'
import { setAgentUri } from './setAgentUri.js'

const chain = useRegistries()
const server = useDocumentServer()

const file = (name: string) =>
  createRegistrationFile({
    name,
    description: `${name} agent`,
    services: [{ name: 'web', endpoint: `https://${name}.example/api` }],
    x402Support: true,
  })

describe('registerAgent', () => {
  test('data: URI round trip; ids start at 0', async () => {
    const { identityRegistry } = chain.registries
    const owner = chain.wallet(0)
    const result = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('alpha'),
      publish: { kind: 'data' },
    })
    expect(result.agentId).toBe(0n)
    expect(result.existing).toBe(false)
    expect(result.transactionHashes).toHaveLength(2)
    expect(result.agentRegistry).toBe(`eip155:${chain.devnet.chainId}:${identityRegistry}`)
    expect(result.agentURI.startsWith('data:application/json;base64,')).toBe(true)
    expect(result.file.registrations).toEqual([{ agentId: 0, agentRegistry: result.agentRegistry }])
    expect(JSON.parse(result.json)).toEqual(result.file)

    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: identityRegistry,
      agentId: result.agentId,
    })
    expect(agent.owner).toBe(owner.account.address)
    expect(agent.agentURI).toBe(result.agentURI)
    expect(agent.file).toEqual(result.file)
    expect(agent.agentWallet).toBe(owner.account.address)
    expect(agent.getService('WEB')?.endpoint).toBe('https://alpha.example/api')
    expect(agent.flags).toEqual({
      registrationMismatch: false,
      legacyFields: false,
      inactive: false,
      uriUnset: false,
      walletUnset: false,
    })
  })

  test('returns the existing agent for the same owner and file, unless forced', async () => {
    const { identityRegistry } = chain.registries
    const owner = chain.wallet(1)
    const first = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('beta'),
      publish: { kind: 'data' },
    })
    const nonce = await getTransactionCount(chain.devnet.publicClient, {
      address: owner.account.address,
    })
    // Same content, other key order: still the same file.
    const { services, name, ...rest } = file('beta')
    const again = await registerAgent(owner, {
      registry: identityRegistry,
      file: { ...rest, services, name },
      publish: { kind: 'data' },
    })
    expect(again).toMatchObject({ agentId: first.agentId, existing: true, transactionHashes: [] })
    expect(again.file).toEqual(first.file)
    expect(
      await getTransactionCount(chain.devnet.publicClient, { address: owner.account.address }),
    ).toBe(nonce)

    // Another owner, or another file, or force: a new agent.
    const other = await registerAgent(chain.wallet(2), {
      registry: identityRegistry,
      file: file('beta'),
      publish: { kind: 'data' },
    })
    expect(other.existing).toBe(false)
    expect(other.agentId).not.toBe(first.agentId)
    const changed = await registerAgent(owner, {
      registry: identityRegistry,
      file: { ...file('beta'), description: 'changed' },
      publish: { kind: 'data' },
    })
    expect(changed.existing).toBe(false)
    const forced = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('beta'),
      publish: { kind: 'data' },
      force: true,
    })
    expect(forced.existing).toBe(false)
    expect(forced.agentId).toBeGreaterThan(changed.agentId)
  })

  test('URL round trip: the file is uploaded with its id before the URI is set', async () => {
    const { identityRegistry } = chain.registries
    const owner = chain.wallet(0)
    const uploads: bigint[] = []
    const result = await registerAgent(owner, {
      registry: `eip155:${chain.devnet.chainId}:${identityRegistry}`,
      file: file('gamma'),
      publish: {
        kind: 'url',
        allowHttp: true,
        upload: ({ agentId, json }) => {
          uploads.push(agentId)
          const path = `/agents/${agentId}.json`
          server.documents.set(path, json)
          return `${server.url}${path}`
        },
      },
    })
    expect(uploads).toEqual([result.agentId])
    expect(result.agentURI).toBe(`${server.url}/agents/${result.agentId}.json`)
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: identityRegistry,
      agentId: result.agentId,
      fetchOptions: { allowHttp: true },
    })
    expect(agent.file).toEqual(result.file)
    expect(agent.flags.registrationMismatch).toBe(false)

    // The served file is found again by content.
    const again = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('gamma'),
      publish: { kind: 'url', url: 'https://unused.example/agent.json' },
      fetchOptions: { allowHttp: true },
    })
    expect(again).toMatchObject({ existing: true, agentId: result.agentId })
  })

  test('ipfs round trip through a configured gateway', async () => {
    const { identityRegistry } = chain.registries
    const result = await registerAgent(chain.wallet(2), {
      registry: identityRegistry,
      file: file('zeta'),
      publish: {
        kind: 'url',
        // Stands in for pinning: the "CID" is the file's hash, served under the gateway's /ipfs/.
        upload: ({ json }) => {
          const cid = `bafy${keccak256(stringToBytes(json)).slice(2, 50)}`
          server.documents.set(`/ipfs/${cid}`, json)
          return `ipfs://${cid}`
        },
      },
    })
    expect(result.agentURI).toMatch(/^ipfs:\/\/bafy[0-9a-f]{48}$/)
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: identityRegistry,
      agentId: result.agentId,
      fetchOptions: { allowHttp: true, ipfsGateway: server.url },
    })
    expect(agent.file).toEqual(result.file)
  })

  test('a plain http URL is refused before anything is minted', async () => {
    const owner = chain.wallet(3)
    const nonce = await getTransactionCount(chain.devnet.publicClient, {
      address: owner.account.address,
    })
    await expect(
      registerAgent(owner, {
        registry: chain.registries.identityRegistry,
        file: file('delta'),
        publish: { kind: 'url', url: `${server.url}/delta.json` },
      }),
    ).rejects.toBeInstanceOf(UnsupportedPublishTargetError)
    expect(
      await getTransactionCount(chain.devnet.publicClient, { address: owner.account.address }),
    ).toBe(nonce)
  })

  test('a failed upload reports the minted id; finishing by hand makes it found again', async () => {
    const { identityRegistry } = chain.registries
    const owner = chain.wallet(3)
    const error = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('epsilon'),
      publish: {
        kind: 'url',
        upload: () => {
          throw new Error('pinning service down')
        },
      },
    }).catch((e: unknown) => e as RegistrationIncompleteError)
    expect(error).toBeInstanceOf(RegistrationIncompleteError)
    const { agentId } = error
    expect(
      await chain.devnet.publicClient.readContract({
        address: identityRegistry,
        abi: identityRegistryAbi,
        functionName: 'ownerOf',
        args: [agentId],
      }),
    ).toBe(owner.account.address)

    // Serve the file it would have published, and set the URI.
    const json = JSON.stringify({
      ...file('epsilon'),
      registrations: [
        {
          agentId: Number(agentId),
          agentRegistry: `eip155:${chain.devnet.chainId}:${identityRegistry}`,
        },
      ],
    })
    server.documents.set('/epsilon.json', json)
    await setAgentUri(owner, {
      registry: identityRegistry,
      agentId,
      uri: `${server.url}/epsilon.json`,
    })
    const again = await registerAgent(owner, {
      registry: identityRegistry,
      file: file('epsilon'),
      publish: { kind: 'data' },
      fetchOptions: { allowHttp: true },
    })
    expect(again).toMatchObject({ existing: true, agentId })
  })
})
