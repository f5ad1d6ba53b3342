import { identityRegistryAbi } from '@tollgate/contracts'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { checkPayee } from './checkPayee.js'
import { PayeeMismatchError } from './errors.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { resolveAgent } from './resolveAgent.js'
import { setAgentWallet } from './setAgentWallet.js'

const chain = useRegistries()
const payout = privateKeyToAccount(generatePrivateKey())
let agentId: bigint

beforeAll(async () => {
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'seller', x402Support: true }),
    publish: { kind: 'data' },
  }))
  await setAgentWallet(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    agentId,
    wallet: payout,
  })
})

describe('checkPayee', () => {
  test('passes for the verified wallet, in any case', async () => {
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
    })
    expect(await checkPayee(chain.devnet.publicClient, { agent, payTo: payout.address })).toEqual({
      agentWallet: payout.address,
    })
    await expect(
      checkPayee(chain.devnet.publicClient, {
        agent: { registry: agent.agentRegistry, agentId: agentId.toString() },
        payTo: payout.address.toLowerCase(),
      }),
    ).resolves.toEqual({ agentWallet: payout.address })
  })

  test('a payTo other than agentWallet (even the owner) is refused', async () => {
    const registry = chain.registries.identityRegistry
    const owner = chain.devnet.accounts[0]!.address
    const error = await checkPayee(chain.devnet.publicClient, {
      agent: { registry, agentId },
      payTo: owner,
    }).then(
      () => {
        throw new Error('expected a PayeeMismatchError')
      },
      (e: unknown) => e as PayeeMismatchError,
    )
    expect(error).toBeInstanceOf(PayeeMismatchError)
    expect(error.reason).toBe('mismatch')
    expect(error.code).toBe('TOLLGATE_IDENTITY_PAYEE_MISMATCH')
    expect(error.agentWallet).toBe(payout.address)
    expect(error.message).toBe(
      [
        "The payment's payTo is not the agent's verified wallet.",
        '',
        `Agent: eip155:${chain.devnet.chainId}:${registry} #${agentId}`,
        `payTo: ${owner}`,
        `agentWallet: ${payout.address}`,
      ].join('\n'),
    )
    for (const payTo of ['not an address', '0x', ''])
      await expect(
        checkPayee(chain.devnet.publicClient, { agent: { registry, agentId }, payTo }),
      ).rejects.toBeInstanceOf(PayeeMismatchError)
  })

  test('reads the wallet now: a resolved agent transferred since is refused', async () => {
    const registry = chain.registries.identityRegistry
    const agent = await resolveAgent(chain.devnet.publicClient, { registry, agentId })
    expect(agent.agentWallet).toBe(payout.address)
    const [from, to] = [chain.devnet.accounts[0]!.address, chain.devnet.accounts[1]!.address]
    const hash = await chain.wallet(0).writeContract({
      address: registry,
      abi: identityRegistryAbi,
      functionName: 'transferFrom',
      args: [from, to, agentId],
    })
    await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
    const error = await checkPayee(chain.devnet.publicClient, {
      agent,
      payTo: payout.address,
    }).then(
      () => {
        throw new Error('expected a PayeeMismatchError')
      },
      (e: unknown) => e as PayeeMismatchError,
    )
    expect(error).toBeInstanceOf(PayeeMismatchError)
    expect(error.reason).toBe('wallet_unset')
    expect(error.shortMessage).toBe('The agent has no verified wallet to pay.')
  })
})
