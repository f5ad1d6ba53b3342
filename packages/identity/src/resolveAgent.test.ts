import type { ServerResponse } from 'node:http'
import { identityRegistryAbi, registrationType } from '@tollgate/contracts'
import { InvalidAgentReferenceError } from '@tollgate/core'
import { listen } from '@tollgate/test'
import { parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import {
  AgentNotFoundError,
  FetchDocumentError,
  InvalidRegistrationFileError,
  RegistryChainMismatchError,
} from './errors.js'
import { toDataUri } from './fetchDocument.js'
import { resolveAgent } from './resolveAgent.js'

const chain = useRegistries()

let stallServer: Awaited<ReturnType<typeof listen>>
const stalled = new Set<ServerResponse>()
beforeAll(async () => {
  stallServer = await listen((_req, res) => {
    stalled.add(res)
  })
})
afterAll(async () => {
  for (const res of stalled) res.destroy()
  await stallServer.close()
})

/** Registers an agent straight on the contract (no SDK), with any URI. */
async function registerRaw(uri: string | undefined, index = 0) {
  const wallet = chain.wallet(index)
  const hash = await wallet.writeContract({
    address: chain.registries.identityRegistry,
    abi: identityRegistryAbi,
    functionName: 'register',
    args: uri === undefined ? [] : [uri],
  })
  const receipt = await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
  const [event] = parseEventLogs({
    abi: identityRegistryAbi,
    logs: receipt.logs,
    eventName: 'Registered',
  })
  return event!.args.agentId
}

const registryName = () => `eip155:${chain.devnet.chainId}:${chain.registries.identityRegistry}`

describe('resolveAgent', () => {
  test('flags a file whose registrations name another agent or registry', async () => {
    const otherId = await registerRaw(
      toDataUri(
        JSON.stringify({
          type: registrationType,
          name: 'copycat',
          services: [],
          registrations: [{ agentId: 999, agentRegistry: registryName() }],
        }),
      ),
    )
    const copycat = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId: otherId,
    })
    expect(copycat.flags.registrationMismatch).toBe(true)

    const elsewhere = await registerRaw(
      toDataUri(
        JSON.stringify({
          type: registrationType,
          name: 'elsewhere',
          services: [],
          registrations: [{ agentId: 1, agentRegistry: registryName().replace(/:\d+:/, ':1:') }],
        }),
      ),
    )
    expect(
      (
        await resolveAgent(chain.devnet.publicClient, {
          registry: registryName(),
          agentId: elsewhere,
        })
      ).flags.registrationMismatch,
    ).toBe(true)
  })

  test('a legacy file (endpoints, x402support, id as string) resolves', async () => {
    const agentId = await registerRaw(undefined)
    const legacy = {
      type: registrationType,
      name: 'legacy',
      endpoints: [
        {
          name: 'A2A',
          endpoint: 'https://legacy.example/.well-known/agent-card.json',
          version: '0.3.0',
        },
        { name: 'MCP', endpoint: 'https://legacy.example/mcp', version: '2025-06-18' },
      ],
      x402support: true,
      active: false,
      registrations: [{ agentId: String(agentId), agentRegistry: registryName().toLowerCase() }],
    }
    await chain.wallet(0).writeContract({
      address: chain.registries.identityRegistry,
      abi: identityRegistryAbi,
      functionName: 'setAgentURI',
      args: [agentId, `data:application/json,${encodeURIComponent(JSON.stringify(legacy))}`],
    })
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId: Number(agentId),
    })
    expect(agent.services.map((s) => s.name)).toEqual(['A2A', 'MCP'])
    expect(agent.getService('mcp')?.endpoint).toBe('https://legacy.example/mcp')
    expect(agent.a2a).toEqual({
      name: 'A2A',
      endpoint: 'https://legacy.example/.well-known/agent-card.json',
      version: '0.3.0',
    })
    expect(agent.mcp?.endpoint).toBe('https://legacy.example/mcp')
    expect(agent.getService('OASF')).toBeUndefined()
    expect(agent.file?.x402Support).toBe(true)
    expect(agent.flags).toMatchObject({
      registrationMismatch: false,
      legacyFields: true,
      inactive: true,
    })
  })

  test('an agent without a URI resolves without a file', async () => {
    const agentId = await registerRaw(undefined, 1)
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId: String(agentId),
    })
    expect(agent.file).toBeUndefined()
    expect(agent.services).toEqual([])
    expect(agent.flags.uriUnset).toBe(true)
    expect(agent.owner).toBe(chain.devnet.accounts[1]!.address)
  })

  test('a transfer clears the verified wallet', async () => {
    const agentId = await registerRaw(
      toDataUri(JSON.stringify({ type: registrationType, name: 'moving', services: [] })),
      2,
    )
    const [from, to] = [chain.devnet.accounts[2]!.address, chain.devnet.accounts[3]!.address]
    const hash = await chain.wallet(2).writeContract({
      address: chain.registries.identityRegistry,
      abi: identityRegistryAbi,
      functionName: 'transferFrom',
      args: [from, to, agentId],
    })
    await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
    })
    expect(agent.owner).toBe(to)
    expect(agent.agentWallet).toBeUndefined()
    expect(agent.flags.walletUnset).toBe(true)
  })

  test('unknown ids, bad references and other chains are typed errors', async () => {
    const client = chain.devnet.publicClient
    const registry = chain.registries.identityRegistry
    const missing = await resolveAgent(client, { registry, agentId: 10_000n }).catch((e) => e)
    expect(missing).toBeInstanceOf(AgentNotFoundError)
    expect(missing.shortMessage).toBe('Agent 10000 is not registered.')
    await expect(resolveAgent(client, { registry, agentId: -1 })).rejects.toBeInstanceOf(
      InvalidAgentReferenceError,
    )
    await expect(
      resolveAgent(client, { registry: `eip155:8453:${registry}`, agentId: 0n }),
    ).rejects.toBeInstanceOf(RegistryChainMismatchError)
    await expect(
      resolveAgent(client, { registry: 'base:0x1', agentId: 0n }),
    ).rejects.toBeInstanceOf(InvalidAgentReferenceError)
  })

  test('the file fetch is bounded in size and time, and the file must be valid', async () => {
    const client = chain.devnet.publicClient
    const registry = chain.registries.identityRegistry
    const big = await registerRaw(
      toDataUri(
        JSON.stringify({
          type: registrationType,
          name: 'big',
          services: [],
          pad: 'x'.repeat(5_000),
        }),
      ),
    )
    const tooLarge = await resolveAgent(client, {
      registry,
      agentId: big,
      fetchOptions: { maxBytes: 4_096 },
    }).catch((e) => e)
    expect(tooLarge).toBeInstanceOf(FetchDocumentError)
    expect(tooLarge.reason).toBe('too_large')
    // The default limit (256 KiB) accepts it.
    const accepted = await resolveAgent(client, { registry, agentId: big })
    expect(accepted.file?.name).toBe('big')

    const slow = await registerRaw(`${stallServer.url}/agent.json`)
    const started = Date.now()
    const timedOut = await resolveAgent(client, {
      registry,
      agentId: slow,
      fetchOptions: { allowHttp: true, timeoutMs: 300 },
    }).catch((e) => e)
    expect(timedOut).toBeInstanceOf(FetchDocumentError)
    expect(timedOut.reason).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(5_000)
    // Plain http is refused by default.
    const insecure = await resolveAgent(client, { registry, agentId: slow }).catch((e) => e)
    expect(insecure.reason).toBe('scheme')

    const invalid = await registerRaw(toDataUri(JSON.stringify({ name: 'no type' })))
    await expect(resolveAgent(client, { registry, agentId: invalid })).rejects.toBeInstanceOf(
      InvalidRegistrationFileError,
    )
  })
})
