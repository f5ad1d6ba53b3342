import { type Account, getAddress, parseEventLogs } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { identityRegistryAbi } from '../generated/IdentityRegistry.js'
import { reputationRegistryAbi } from '../generated/ReputationRegistry.js'
import { validationRegistryAbi } from '../generated/ValidationRegistry.js'
import { deployRegistries } from './deployRegistries.js'
import { useRegistries } from './testFixture.js'

const fixture = useRegistries({ accounts: 2 })

let deployer: Account

beforeAll(() => {
  ;[deployer] = fixture.accounts() as [Account]
})

describe('deployRegistries', () => {
  test('deploys three linked registries at the addresses the nonce predicts', async () => {
    const { publicClient } = fixture.devnet
    // A non-zero starting nonce, so the prediction cannot pass by luck.
    await fixture.register(deployer)
    const nonce = await publicClient.getTransactionCount({ address: deployer.address })
    expect(nonce).toBeGreaterThan(0)

    const registries = await deployRegistries(fixture.devnet.walletClient(deployer), publicClient)
    const { identityRegistry, reputationRegistry, validationRegistry } = registries
    expect(new Set(Object.values(registries)).size).toBe(3)
    for (const address of Object.values(registries))
      expect(await publicClient.getCode({ address })).toMatch(/^0x[0-9a-f]{100,}$/)
    expect(await publicClient.getTransactionCount({ address: deployer.address })).toBe(nonce + 3)

    for (const [address, abi] of [
      [reputationRegistry, reputationRegistryAbi],
      [validationRegistry, validationRegistryAbi],
    ] as const) {
      expect(
        await publicClient.readContract({ address, abi, functionName: 'getIdentityRegistry' }),
      ).toBe(getAddress(identityRegistry))
    }
  })

  test('each deployment is a fresh registry whose ids start at 0', async () => {
    const { publicClient } = fixture.devnet
    await fixture.register(deployer) // the fixture's registry already has agents
    const { identityRegistry } = await deployRegistries(
      fixture.devnet.walletClient(deployer),
      publicClient,
    )
    expect(identityRegistry).not.toBe(fixture.registries.identityRegistry)
    const hash = await fixture.devnet.walletClient(deployer).writeContract({
      address: identityRegistry,
      abi: identityRegistryAbi,
      functionName: 'register',
      args: ['ipfs://fresh'],
    })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    const [registered] = parseEventLogs({
      abi: identityRegistryAbi,
      logs: receipt.logs,
      eventName: 'Registered',
    })
    expect(registered!.args.agentId).toBe(0n)
  })
})
