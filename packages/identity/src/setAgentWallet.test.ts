import { identityRegistryAbi } from '@tollgate/contracts'
import { getAddress, hashTypedData } from 'viem'
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts'
import { beforeAll, describe, expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { AccountCannotSignError, InvalidDeadlineError } from './errors.js'
import { getAgentWalletTypedData } from './getAgentWalletTypedData.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { resolveAgent } from './resolveAgent.js'
import { setAgentWallet } from './setAgentWallet.js'

const chain = useRegistries()
let agentId: bigint

beforeAll(async () => {
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'payee' }),
    publish: { kind: 'data' },
  }))
})

const walletOf = (id: bigint) =>
  chain.devnet.publicClient.readContract({
    address: chain.registries.identityRegistry,
    abi: identityRegistryAbi,
    functionName: 'getAgentWallet',
    args: [id],
  })

describe('setAgentWallet', () => {
  test('an EOA signs; the registry accepts and resolveAgent reports it', async () => {
    const payout = privateKeyToAccount(generatePrivateKey())
    const result = await setAgentWallet(chain.wallet(0), {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: payout,
    })
    expect(result.wallet).toBe(payout.address)
    expect(await walletOf(agentId)).toBe(payout.address)
    const agent = await resolveAgent(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
    })
    expect(agent.agentWallet).toBe(payout.address)
  })

  test('the typed data uses the domain of eip712Domain() and the current owner', async () => {
    const wallet = privateKeyToAccount(generatePrivateKey()).address
    const { typedData, deadline } = await getAgentWalletTypedData(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet,
    })
    expect(typedData.domain).toEqual({
      name: 'ERC8004IdentityRegistry',
      version: '1',
      chainId: chain.devnet.chainId,
      verifyingContract: getAddress(chain.registries.identityRegistry),
    })
    expect(typedData.message).toEqual({
      agentId,
      newWallet: wallet,
      owner: chain.devnet.accounts[0]!.address,
      deadline,
    })
    const block = await chain.devnet.publicClient.getBlock()
    expect(deadline).toBeGreaterThan(block.timestamp)
    expect(deadline).toBeLessThanOrEqual(block.timestamp + 300n + 60n)
    expect(hashTypedData(typedData)).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('the default deadline follows the injected millisecond clock when it leads the chain', async () => {
    const block = await chain.devnet.publicClient.getBlock()
    const wallet = privateKeyToAccount(generatePrivateKey())
    // A clock 30 s ahead of the chain (ms, with a fraction of a second): the deadline is 240 s
    // after it, in whole seconds, and still inside the registry's 300 s window.
    const clockSeconds = block.timestamp + 30n
    const now = () => Number(clockSeconds) * 1_000 + 999
    const { deadline } = await getAgentWalletTypedData(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: wallet.address,
      now,
    })
    expect(deadline).toBe(clockSeconds + 240n)
    const set = await setAgentWallet(chain.wallet(0), {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet,
      now,
    })
    expect(set.deadline).toBe(clockSeconds + 240n)
  })

  test('an ERC-1271 wallet whose owner signs', async () => {
    const keyHolder = privateKeyToAccount(generatePrivateKey())
    const contractWallet = await chain.devnet.deploySmartWallet(keyHolder.address)
    await setAgentWallet(chain.wallet(0), {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: { address: contractWallet, signer: keyHolder },
    })
    expect(await walletOf(agentId)).toBe(getAddress(contractWallet))

    // The same, as a custom viem account whose address is the contract.
    const other = await chain.devnet.deploySmartWallet(keyHolder.address)
    const account = toAccount({
      address: other,
      signMessage: (parameters) => keyHolder.signMessage(parameters),
      signTransaction: (transaction) => keyHolder.signTransaction(transaction),
      signTypedData: (typedData) => keyHolder.signTypedData(typedData),
    })
    await setAgentWallet(chain.wallet(0), {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: account,
    })
    expect(await walletOf(agentId)).toBe(getAddress(other))
  })

  test('a signature made elsewhere, from getAgentWalletTypedData', async () => {
    const payout = privateKeyToAccount(generatePrivateKey())
    const { typedData, deadline } = await getAgentWalletTypedData(chain.devnet.publicClient, {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: payout.address,
    })
    const signature = await payout.signTypedData(typedData)
    await setAgentWallet(chain.wallet(0), {
      registry: chain.registries.identityRegistry,
      agentId,
      wallet: payout.address,
      signature,
      deadline,
    })
    expect(await walletOf(agentId)).toBe(payout.address)
  })

  test('refusals: wrong signer, stranger, deadlines, a signer that cannot sign', async () => {
    const registry = chain.registries.identityRegistry
    const keyHolder = privateKeyToAccount(generatePrivateKey())
    const contractWallet = await chain.devnet.deploySmartWallet(keyHolder.address)
    const impostor = privateKeyToAccount(generatePrivateKey())
    await expect(
      setAgentWallet(chain.wallet(0), {
        registry,
        agentId,
        wallet: { address: contractWallet, signer: impostor },
      }),
    ).rejects.toThrow(/invalid wallet sig/)
    await expect(
      setAgentWallet(chain.wallet(1), { registry, agentId, wallet: impostor }),
    ).rejects.toThrow(/Not authorized/)

    const block = await chain.devnet.publicClient.getBlock()
    const now = BigInt(Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)))
    await expect(
      setAgentWallet(chain.wallet(0), {
        registry,
        agentId,
        wallet: impostor,
        deadline: now + 400n,
      }),
    ).rejects.toBeInstanceOf(InvalidDeadlineError)
    await expect(
      setAgentWallet(chain.wallet(0), {
        registry,
        agentId,
        wallet: impostor,
        deadline: block.timestamp - 1n,
      }),
    ).rejects.toBeInstanceOf(InvalidDeadlineError)

    // A signature whose deadline passed by the time it is sent: the registry refuses it.
    const { typedData, deadline } = await getAgentWalletTypedData(chain.devnet.publicClient, {
      registry,
      agentId,
      wallet: impostor.address,
      deadline: block.timestamp + 5n,
    })
    const signature = await impostor.signTypedData(typedData)
    await chain.devnet.testClient.increaseTime({ seconds: 60 })
    await chain.devnet.testClient.mine({ blocks: 1 })
    await expect(
      setAgentWallet(chain.wallet(0), {
        registry,
        agentId,
        wallet: impostor.address,
        signature,
        deadline,
      }),
    ).rejects.toThrow(/expired/)

    await expect(
      setAgentWallet(chain.wallet(0), {
        registry,
        agentId,
        wallet: { address: impostor.address },
      }),
    ).rejects.toBeInstanceOf(AccountCannotSignError)
    expect(await walletOf(agentId)).not.toBe(impostor.address)
  })
})
