import { identityRegistryAbi } from '@tollgate/contracts'
import { agentRegistrationPath } from '@tollgate/core'
import { createPublicClient, custom } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { beforeAll, describe, expect, test } from 'vitest'
import { useDocumentServer, useRegistries } from '../test/useRegistries.js'
import { formatAgentRegistry } from './agentRegistry.js'
import { createPayeeVerifier } from './createPayeeVerifier.js'
import {
  AgentDomainNotVerifiedError,
  PayeeContextIncompleteError,
  PayeeMismatchError,
  RegistryChainMismatchError,
} from './errors.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { setAgentWallet } from './setAgentWallet.js'

const chain = useRegistries()
const server = useDocumentServer()
const payout = privateKeyToAccount(generatePrivateKey())
const fetchOptions = { allowHttp: true } as const
let agentId: bigint
let walletless: bigint
let agentRegistry: string

beforeAll(async () => {
  const registry = chain.registries.identityRegistry
  agentRegistry = formatAgentRegistry({ chainId: chain.devnet.chainId, address: registry })
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry,
    file: createRegistrationFile({ name: 'seller', x402Support: true }),
    publish: { kind: 'data' },
  }))
  await setAgentWallet(chain.wallet(0), { registry, agentId, wallet: payout })
  ;({ agentId: walletless } = await registerAgent(chain.wallet(1), {
    registry,
    file: createRegistrationFile({ name: 'no wallet yet' }),
    publish: { kind: 'data' },
  }))
  // The owner's wallet is set at mint; clearing it leaves an agent with no verified wallet.
  const hash = await chain.wallet(1).writeContract({
    address: registry,
    abi: identityRegistryAbi,
    functionName: 'unsetAgentWallet',
    args: [walletless],
  })
  await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
})

/** A 402 as @tollgate/fetch parses it, naming `id`. */
const challengeNaming = (id: bigint) => ({
  paymentRequired: {
    extensions: { erc8004: { info: { agentRegistry, agentId: Number(id) } } },
  },
})

describe('createPayeeVerifier', () => {
  test("passes the agent's verified wallet (any case) and returns the resolved agent", async () => {
    const verify = createPayeeVerifier(chain.devnet.publicClient, { fetchOptions })
    const result = await verify({
      agent: { registry: agentRegistry, agentId: agentId.toString() },
      payTo: payout.address.toLowerCase(),
    })
    expect(result?.agentWallet).toBe(payout.address)
    expect(result?.agent.agentId).toBe(agentId)
    expect(result?.agent.file?.name).toBe('seller')
    expect(result?.domain).toBeUndefined()
  })

  test('any other payTo, even the owner, is a PayeeMismatchError', async () => {
    const verify = createPayeeVerifier(chain.devnet.publicClient)
    const error = await verify({
      challenge: challengeNaming(agentId),
      requirements: { payTo: chain.devnet.accounts[0]!.address },
    }).then(
      () => undefined as never,
      (e: unknown) => e as PayeeMismatchError,
    )
    expect(error).toBeInstanceOf(PayeeMismatchError)
    expect(error).toMatchObject({ reason: 'mismatch', agentWallet: payout.address, agentId })
    // The agent is read from the challenge when the context does not carry it.
    await expect(
      verify({ challenge: challengeNaming(agentId), requirements: { payTo: payout.address } }),
    ).resolves.toMatchObject({ agentWallet: payout.address })
  })

  test('an agent without a verified wallet cannot be paid at all', async () => {
    const verify = createPayeeVerifier(chain.devnet.publicClient)
    const error = await verify({
      challenge: challengeNaming(walletless),
      payTo: chain.devnet.accounts[1]!.address,
    }).then(
      () => undefined as never,
      (e: unknown) => e as PayeeMismatchError,
    )
    expect(error).toBeInstanceOf(PayeeMismatchError)
    expect(error.reason).toBe('wallet_unset')
  })

  test('a 402 naming no agent has nothing to check; a registry on another chain is refused', async () => {
    const verify = createPayeeVerifier(chain.devnet.publicClient)
    expect(await verify({ payTo: payout.address })).toBeUndefined()
    expect(await verify({ challenge: { paymentRequired: {} }, payTo: payout.address })).toBe(
      undefined,
    )
    await expect(
      verify({
        agent: { registry: `eip155:1:${chain.registries.identityRegistry}`, agentId },
        payTo: payout.address,
      }),
    ).rejects.toBeInstanceOf(RegistryChainMismatchError)
  })

  test('a context without payTo, or without url under verifyDomain, is a typed error', async () => {
    const agent = { registry: agentRegistry, agentId }
    await expect(createPayeeVerifier(chain.devnet.publicClient)({ agent })).rejects.toMatchObject({
      name: 'PayeeContextIncompleteError',
      code: 'TOLLGATE_IDENTITY_PAYEE_CONTEXT',
      missing: 'payTo',
    })
    const withDomain = createPayeeVerifier(chain.devnet.publicClient, { verifyDomain: true })
    const error = await withDomain({ agent, payTo: payout.address }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PayeeContextIncompleteError)
    expect(error).toMatchObject({ missing: 'url' })
  })

  test('concurrent checks of one agent share one resolution (three reads, not six)', async () => {
    let calls = 0
    const counting = createPublicClient({
      chain: chain.devnet.publicClient.chain,
      transport: custom({
        request: (args) => {
          calls++
          return chain.devnet.publicClient.request(args as never)
        },
      }),
    })
    const verify = createPayeeVerifier(counting)
    const context = { agent: { registry: agentRegistry, agentId }, payTo: payout.address }
    await Promise.all([verify(context), verify(context)])
    expect(calls).toBe(3)
    // Nothing is cached afterwards: the wallet is read again.
    await verify(context)
    expect(calls).toBe(6)
  })

  test('verifyDomain: the host that asks for payment must list the agent in its .well-known', async () => {
    const verify = createPayeeVerifier(chain.devnet.publicClient, {
      fetchOptions,
      verifyDomain: true,
    })
    const context = {
      agent: { registry: agentRegistry, agentId },
      payTo: payout.address,
      url: new URL(`${server.url}/report`),
    }
    server.documents.set(
      agentRegistrationPath,
      JSON.stringify({ registrations: [{ agentId: Number(agentId), agentRegistry }] }),
    )
    expect((await verify(context))?.domain).toMatchObject({ verified: true, method: 'well-known' })

    server.documents.set(
      agentRegistrationPath,
      JSON.stringify({ registrations: [{ agentId: Number(walletless), agentRegistry }] }),
    )
    const error = await verify(context).then(
      () => undefined as never,
      (e: unknown) => e as AgentDomainNotVerifiedError,
    )
    expect(error).toBeInstanceOf(AgentDomainNotVerifiedError)
    expect(error.reason).toBe('mismatch')
    server.documents.delete(agentRegistrationPath)
    await expect(verify(context)).rejects.toMatchObject({
      name: 'AgentDomainNotVerifiedError',
      reason: 'unreachable',
    })
  })
})
