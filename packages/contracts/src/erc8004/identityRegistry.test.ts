import {
  type Account,
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  hashTypedData,
  keccak256,
  type Log,
  parseEventLogs,
  toHex,
  zeroAddress,
} from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { identityRegistryAbi } from '../generated/IdentityRegistry.js'
import { smartWalletAbi } from '../generated/SmartWallet.js'
import {
  agentWalletDomain,
  agentWalletKey,
  agentWalletKeyHash,
  agentWalletSetTypes,
  erc8004Version,
  identityRegistryName,
  identityRegistrySymbol,
} from './constants.js'
import { deployRegistries } from './deployRegistries.js'
import { revertOf, useRegistries } from './testFixture.js'

const fixture = useRegistries({ accounts: 4 })
const { identity, mined, register } = fixture

let alice: Account // agent owner
let bob: Account // stranger
let carol: Account // operator or wallet
let dave: Account
let registry: Address
let devnet: typeof fixture.devnet

beforeAll(() => {
  ;[alice, bob, carol, dave] = fixture.accounts() as [Account, Account, Account, Account]
  registry = fixture.registries.identityRegistry
  devnet = fixture.devnet
})

function registeredEvents(logs: Log[]) {
  return parseEventLogs({ abi: identityRegistryAbi, logs })
}

async function latestTimestamp(): Promise<bigint> {
  return (await devnet.publicClient.getBlock()).timestamp
}

/** `newWallet`'s EIP-712 AgentWalletSet signature, as an SDK would produce it. */
async function signWalletSet(
  signer: Account,
  message: { agentId: bigint; newWallet: Address; owner: Address; deadline: bigint },
  domain: { name?: string; chainId?: number; verifyingContract?: Address } = {},
): Promise<Hex> {
  return signer.signTypedData!({
    domain: {
      ...agentWalletDomain,
      chainId: devnet.chain.id,
      verifyingContract: registry,
      ...domain,
    },
    types: agentWalletSetTypes,
    primaryType: 'AgentWalletSet',
    message,
  })
}

describe('IdentityRegistry: token and registration', () => {
  test('ERC-721 name, symbol, version, interfaces and EIP-712 domain', async () => {
    const contract = identity(alice)
    expect(await contract.read.name()).toBe(identityRegistryName)
    expect(await contract.read.symbol()).toBe(identityRegistrySymbol)
    expect(await contract.read.getVersion()).toBe(erc8004Version)
    expect(await contract.read.supportsInterface(['0x80ac58cd'])).toBe(true) // ERC-721
    expect(await contract.read.supportsInterface(['0x5b5e139f'])).toBe(true) // ERC-721 metadata
    expect(await contract.read.supportsInterface(['0x49064906'])).toBe(true) // ERC-4906
    expect(await contract.read.supportsInterface(['0xffffffff'])).toBe(false)
    const [fields, name, version, chainId, verifyingContract, salt, extensions] =
      await contract.read.eip712Domain()
    expect({ fields, name, version, chainId, verifyingContract, salt, extensions }).toEqual({
      fields: '0x0f',
      name: 'ERC8004IdentityRegistry',
      version: '1',
      chainId: BigInt(devnet.chain.id),
      verifyingContract: getAddress(registry),
      salt: `0x${'00'.repeat(32)}`,
      extensions: [],
    })
  })

  test('ids start at 0 and go up by 1 across the three register overloads', async () => {
    const fresh = await deployRegistries(devnet.walletClient(dave), devnet.publicClient)
    const contract = identity(alice, fresh.identityRegistry)
    const ids: bigint[] = []
    for (const send of [
      () => contract.write.register(),
      () => contract.write.register(['https://a.example/agent.json']),
      () => contract.write.register(['ipfs://cid', [{ metadataKey: 'k', metadataValue: '0x01' }]]),
    ]) {
      const receipt = await mined(send())
      const [event] = parseEventLogs({
        abi: identityRegistryAbi,
        logs: receipt.logs,
        eventName: 'Registered',
      })
      ids.push(event!.args.agentId)
    }
    expect(ids).toEqual([0n, 1n, 2n])
    expect(await contract.read.ownerOf([2n])).toBe(alice.address)
    expect(await revertOf(contract.read.ownerOf([3n]))).toBe('ERC721NonexistentToken')
  })

  test('register() emits Transfer, Registered with an empty URI, MetadataSet(agentWallet = owner)', async () => {
    const receipt = await mined(identity(bob).write.register())
    const events = registeredEvents(receipt.logs)
    expect(events.map((e) => e.eventName)).toEqual(['Transfer', 'Registered', 'MetadataSet'])
    const [transfer, registered, walletSet] = events
    const agentId = (registered as { args: { agentId: bigint } }).args.agentId
    expect(transfer!.args).toEqual({ from: zeroAddress, to: bob.address, tokenId: agentId })
    expect(registered!.args).toEqual({ agentId, agentURI: '', owner: bob.address })
    expect(walletSet!.args).toEqual({
      agentId,
      indexedMetadataKey: agentWalletKeyHash,
      metadataKey: agentWalletKey,
      metadataValue: bob.address.toLowerCase(),
    })
    expect(receipt.logs[2]!.topics[2]).toBe(agentWalletKeyHash)
    expect(await identity(bob).read.tokenURI([agentId])).toBe('')
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(bob.address)
    expect(await identity(bob).read.getMetadata([agentId, agentWalletKey])).toBe(
      bob.address.toLowerCase(),
    )
  })

  test('register(string) emits Transfer, MetadataUpdate, Registered, MetadataSet(agentWallet)', async () => {
    const uri = 'https://agent.example/registration.json'
    const receipt = await mined(identity(alice).write.register([uri]))
    const events = registeredEvents(receipt.logs)
    expect(events.map((e) => e.eventName)).toEqual([
      'Transfer',
      'MetadataUpdate',
      'Registered',
      'MetadataSet',
    ])
    const registered = events[2] as { args: { agentId: bigint; agentURI: string; owner: Address } }
    expect(registered.args.agentURI).toBe(uri)
    expect(registered.args.owner).toBe(alice.address)
    expect(await identity(alice).read.tokenURI([registered.args.agentId])).toBe(uri)
    expect(await identity(alice).read.getAgentWallet([registered.args.agentId])).toBe(alice.address)
  })

  test('register(string, MetadataEntry[]) emits one MetadataSet per extra entry, in order', async () => {
    const metadata = [
      { metadataKey: 'agentName', metadataValue: toHex('Weather bot') },
      { metadataKey: 'x402', metadataValue: '0x01' },
    ] as const
    const receipt = await mined(identity(alice).write.register(['ipfs://bafy', metadata]))
    const events = registeredEvents(receipt.logs)
    expect(events.map((e) => e.eventName)).toEqual([
      'Transfer',
      'MetadataUpdate',
      'Registered',
      'MetadataSet',
      'MetadataSet',
      'MetadataSet',
    ])
    const agentId = (events[2] as { args: { agentId: bigint } }).args.agentId
    expect(events.slice(3).map((e) => e.args)).toEqual([
      {
        agentId,
        indexedMetadataKey: agentWalletKeyHash,
        metadataKey: 'agentWallet',
        metadataValue: alice.address.toLowerCase(),
      },
      {
        agentId,
        indexedMetadataKey: keccak256(toHex('agentName')),
        metadataKey: 'agentName',
        metadataValue: toHex('Weather bot'),
      },
      {
        agentId,
        indexedMetadataKey: keccak256(toHex('x402')),
        metadataKey: 'x402',
        metadataValue: '0x01',
      },
    ])
    expect(await identity(bob).read.getMetadata([agentId, 'agentName'])).toBe(toHex('Weather bot'))
    expect(await identity(bob).read.getMetadata([agentId, 'missing'])).toBe('0x')
  })

  test('register rejects the reserved agentWallet key in the metadata array', async () => {
    const reason = await revertOf(
      identity(alice).write.register([
        'ipfs://x',
        [
          { metadataKey: 'ok', metadataValue: '0x01' },
          { metadataKey: 'agentWallet', metadataValue: bob.address },
        ],
      ]),
    )
    expect(reason).toBe('reserved key')
  })

  test('a contract without onERC721Received cannot register (safe mint)', async () => {
    const wallet = await devnet.deploySmartWallet(alice.address)
    const data = encodeFunctionData({ abi: identityRegistryAbi, functionName: 'register' })
    const reason = await revertOf(
      devnet.walletClient(alice).writeContract({
        address: wallet,
        abi: smartWalletAbi,
        functionName: 'execute',
        args: [registry, 0n, data],
        account: alice,
        chain: devnet.chain,
      }),
    )
    expect(reason).toBe('ERC721InvalidReceiver')
  })
})

describe('IdentityRegistry: agentURI and metadata', () => {
  test('the owner updates the URI (any scheme) and URIUpdated names the caller', async () => {
    const agentId = await register(alice)
    for (const uri of [
      'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
      'https://example.com/agent.json',
      `data:application/json;base64,${Buffer.from('{"name":"x"}').toString('base64')}`,
    ]) {
      const receipt = await mined(identity(alice).write.setAgentURI([agentId, uri]))
      const events = registeredEvents(receipt.logs)
      expect(events.map((e) => e.eventName)).toEqual(['MetadataUpdate', 'URIUpdated'])
      expect(events[1]!.args).toEqual({ agentId, newURI: uri, updatedBy: alice.address })
      expect(await identity(bob).read.tokenURI([agentId])).toBe(uri)
    }
  })

  test('an approved-for-all operator and the token-approved address may update the URI', async () => {
    const agentId = await register(alice)
    await mined(identity(alice).write.setApprovalForAll([carol.address, true]))
    const byOperator = await mined(
      identity(carol).write.setAgentURI([agentId, 'ipfs://by-operator']),
    )
    expect(registeredEvents(byOperator.logs)[1]!.args).toMatchObject({ updatedBy: carol.address })
    await mined(identity(alice).write.setApprovalForAll([carol.address, false]))
    expect(await revertOf(identity(carol).write.setAgentURI([agentId, 'ipfs://no']))).toBe(
      'Not authorized',
    )

    await mined(identity(alice).write.approve([dave.address, agentId]))
    await mined(identity(dave).write.setAgentURI([agentId, 'ipfs://by-approved']))
    expect(await identity(bob).read.tokenURI([agentId])).toBe('ipfs://by-approved')
  })

  test('a stranger cannot update the URI; an unknown agent reverts', async () => {
    const agentId = await register(alice)
    expect(await revertOf(identity(bob).write.setAgentURI([agentId, 'ipfs://evil']))).toBe(
      'Not authorized',
    )
    expect(await revertOf(identity(alice).write.setAgentURI([10_000n, 'ipfs://x']))).toBe(
      'ERC721NonexistentToken',
    )
  })

  test('setMetadata by owner or operator stores the value and emits MetadataSet', async () => {
    const agentId = await register(alice)
    const receipt = await mined(identity(alice).write.setMetadata([agentId, 'tier', '0x02']))
    const [event] = registeredEvents(receipt.logs)
    expect(event!.eventName).toBe('MetadataSet')
    expect(event!.args).toEqual({
      agentId,
      indexedMetadataKey: keccak256(toHex('tier')),
      metadataKey: 'tier',
      metadataValue: '0x02',
    })
    await mined(identity(alice).write.approve([carol.address, agentId]))
    await mined(identity(carol).write.setMetadata([agentId, 'tier', '0x03']))
    expect(await identity(bob).read.getMetadata([agentId, 'tier'])).toBe('0x03')
  })

  test('setMetadata reverts for a stranger, for the reserved key and for an unknown agent', async () => {
    const agentId = await register(alice)
    expect(await revertOf(identity(bob).write.setMetadata([agentId, 'tier', '0x01']))).toBe(
      'Not authorized',
    )
    expect(
      await revertOf(identity(alice).write.setMetadata([agentId, 'agentWallet', bob.address])),
    ).toBe('reserved key')
    expect(await revertOf(identity(alice).write.setMetadata([10_000n, 'tier', '0x01']))).toBe(
      'ERC721NonexistentToken',
    )
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(alice.address)
  })

  test('isAuthorizedOrOwner: owner, operator and approved are true, a stranger false, unknown reverts', async () => {
    const agentId = await register(alice)
    await mined(identity(alice).write.approve([dave.address, agentId]))
    await mined(identity(alice).write.setApprovalForAll([carol.address, true]))
    const read = identity(bob).read
    expect(await read.isAuthorizedOrOwner([alice.address, agentId])).toBe(true)
    expect(await read.isAuthorizedOrOwner([carol.address, agentId])).toBe(true)
    expect(await read.isAuthorizedOrOwner([dave.address, agentId])).toBe(true)
    expect(await read.isAuthorizedOrOwner([bob.address, agentId])).toBe(false)
    expect(await revertOf(read.isAuthorizedOrOwner([alice.address, 10_000n]))).toBe(
      'ERC721NonexistentToken',
    )
    await mined(identity(alice).write.setApprovalForAll([carol.address, false]))
  })
})

describe('IdentityRegistry: agentWallet', () => {
  test('getAgentWallet returns 0x0 for an unknown agent instead of reverting', async () => {
    expect(await identity(bob).read.getAgentWallet([10_000n])).toBe(zeroAddress)
  })

  test('setAgentWallet accepts the EIP-712 signature of an EOA wallet', async () => {
    const agentId = await register(alice)
    const deadline = (await latestTimestamp()) + 60n
    const signature = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: alice.address,
      deadline,
    })
    const receipt = await mined(
      identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]),
    )
    const [event] = registeredEvents(receipt.logs)
    expect(event!.args).toEqual({
      agentId,
      indexedMetadataKey: agentWalletKeyHash,
      metadataKey: 'agentWallet',
      metadataValue: carol.address.toLowerCase(),
    })
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(carol.address)
    expect(await identity(bob).read.getMetadata([agentId, 'agentWallet'])).toBe(
      carol.address.toLowerCase(),
    )
  })

  test('the signed digest is the EIP-712 hash the domain read from eip712Domain() gives', async () => {
    const agentId = await register(alice)
    const [, name, version, chainId, verifyingContract] = await identity(bob).read.eip712Domain()
    const deadline = (await latestTimestamp()) + 60n
    const message = { agentId, newWallet: carol.address, owner: alice.address, deadline }
    const digest = hashTypedData({
      domain: { name, version, chainId, verifyingContract },
      types: agentWalletSetTypes,
      primaryType: 'AgentWalletSet',
      message,
    })
    // A raw signature over that digest is what the contract recovers.
    const signature = await carol.sign!({ hash: digest })
    await mined(identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]))
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(carol.address)
  })

  test('setAgentWallet accepts an ERC-1271 smart wallet signature and rejects a wrong one', async () => {
    const agentId = await register(alice)
    const wallet = getAddress(await devnet.deploySmartWallet(dave.address))
    const deadline = (await latestTimestamp()) + 120n
    const message = { agentId, newWallet: wallet, owner: alice.address, deadline }
    const digest = hashTypedData({
      domain: { ...agentWalletDomain, chainId: devnet.chain.id, verifyingContract: registry },
      types: agentWalletSetTypes,
      primaryType: 'AgentWalletSet',
      message,
    })
    const bySomeoneElse = await bob.sign!({ hash: digest })
    expect(
      await revertOf(
        identity(alice).write.setAgentWallet([agentId, wallet, deadline, bySomeoneElse]),
      ),
    ).toBe('invalid wallet sig')

    const byWalletOwner = await dave.sign!({ hash: digest })
    await mined(identity(alice).write.setAgentWallet([agentId, wallet, deadline, byWalletOwner]))
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(wallet)
  })

  test('setAgentWallet rejects a wrong signer, a wrong owner field, a wrong domain and junk', async () => {
    const agentId = await register(alice)
    const deadline = (await latestTimestamp()) + 60n
    const message = { agentId, newWallet: carol.address, owner: alice.address, deadline }
    const cases: Hex[] = [
      await signWalletSet(bob, message), // not the new wallet
      await signWalletSet(carol, { ...message, owner: bob.address }),
      await signWalletSet(carol, { ...message, agentId: agentId + 1n }),
      await signWalletSet(carol, { ...message, deadline: deadline + 1n }),
      await signWalletSet(carol, message, { name: 'ERC8004IdentityRegistryV2' }),
      await signWalletSet(carol, message, { chainId: 1 }),
      await signWalletSet(carol, message, { verifyingContract: bob.address }),
      '0x',
      `0x${'11'.repeat(65)}`,
    ]
    for (const signature of cases) {
      expect(
        await revertOf(
          identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]),
        ),
      ).toBe('invalid wallet sig')
    }
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(alice.address)
  })

  test('setAgentWallet rejects an expired deadline and one more than 300 s ahead', async () => {
    const agentId = await register(alice)
    const now = await latestTimestamp()
    const sign = (deadline: bigint) =>
      signWalletSet(carol, { agentId, newWallet: carol.address, owner: alice.address, deadline })
    const expired = now - 10n
    expect(
      await revertOf(
        identity(alice).write.setAgentWallet([
          agentId,
          carol.address,
          expired,
          await sign(expired),
        ]),
      ),
    ).toBe('expired')
    const tooFar = now + 400n
    expect(
      await revertOf(
        identity(alice).write.setAgentWallet([agentId, carol.address, tooFar, await sign(tooFar)]),
      ),
    ).toBe('deadline too far')
  })

  test('the deadline window is inclusive: now + 300 is accepted, now + 301 is not', async () => {
    const agentId = await register(alice)
    const sign = (deadline: bigint) =>
      signWalletSet(carol, { agentId, newWallet: carol.address, owner: alice.address, deadline })
    const send = async (blockTime: bigint, deadline: bigint) => {
      await devnet.testClient.setNextBlockTimestamp({ timestamp: blockTime })
      // A fixed gas limit skips estimation, so the transaction is mined at exactly `blockTime`.
      const hash = await identity(alice).write.setAgentWallet(
        [agentId, carol.address, deadline, await sign(deadline)],
        { gas: 200_000n },
      )
      return devnet.publicClient.waitForTransactionReceipt({ hash })
    }
    const t1 = (await latestTimestamp()) + 100n
    const tooFar = await send(t1, t1 + 301n)
    expect(tooFar.status).toBe('reverted')
    expect((await devnet.publicClient.getBlock({ blockHash: tooFar.blockHash })).timestamp).toBe(t1)

    const t2 = t1 + 10n
    const atLimit = await send(t2, t2 + 300n)
    expect(atLimit.status).toBe('success')

    const t3 = t2 + 10n
    const atDeadline = await send(t3, t3) // deadline == block.timestamp is still valid
    expect(atDeadline.status).toBe('success')
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(carol.address)
  })

  test('setAgentWallet rejects the zero wallet, a stranger and an unknown agent', async () => {
    const agentId = await register(alice)
    const deadline = (await latestTimestamp()) + 60n
    const signature = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: alice.address,
      deadline,
    })
    expect(
      await revertOf(
        identity(alice).write.setAgentWallet([agentId, zeroAddress, deadline, signature]),
      ),
    ).toBe('bad wallet')
    expect(
      await revertOf(
        identity(bob).write.setAgentWallet([agentId, carol.address, deadline, signature]),
      ),
    ).toBe('Not authorized')
    expect(
      await revertOf(
        identity(carol).write.setAgentWallet([agentId, carol.address, deadline, signature]),
      ),
    ).toBe('Not authorized')
    expect(
      await revertOf(
        identity(alice).write.setAgentWallet([10_000n, carol.address, deadline, signature]),
      ),
    ).toBe('ERC721NonexistentToken')
  })

  test('an operator may submit the proof; the owner field stays ownerOf(agentId)', async () => {
    const agentId = await register(alice)
    await mined(identity(alice).write.setApprovalForAll([bob.address, true]))
    const deadline = (await latestTimestamp()) + 60n
    const signature = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: alice.address,
      deadline,
    })
    await mined(identity(bob).write.setAgentWallet([agentId, carol.address, deadline, signature]))
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(carol.address)
    await mined(identity(alice).write.setApprovalForAll([bob.address, false]))
  })

  test('without a nonce, a signature can be replayed until its deadline (reference behaviour)', async () => {
    const agentId = await register(alice)
    const deadline = (await latestTimestamp()) + 60n
    const signature = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: alice.address,
      deadline,
    })
    await mined(identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]))
    await mined(identity(alice).write.unsetAgentWallet([agentId]))
    await mined(identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]))
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(carol.address)
  })

  test('unsetAgentWallet clears the wallet with an empty MetadataSet; strangers cannot', async () => {
    const agentId = await register(alice)
    expect(await revertOf(identity(bob).write.unsetAgentWallet([agentId]))).toBe('Not authorized')
    expect(await revertOf(identity(alice).write.unsetAgentWallet([10_000n]))).toBe(
      'ERC721NonexistentToken',
    )
    const receipt = await mined(identity(alice).write.unsetAgentWallet([agentId]))
    const [event] = registeredEvents(receipt.logs)
    expect(event!.args).toEqual({
      agentId,
      indexedMetadataKey: agentWalletKeyHash,
      metadataKey: 'agentWallet',
      metadataValue: '0x',
    })
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(zeroAddress)
    expect(await identity(bob).read.getMetadata([agentId, 'agentWallet'])).toBe('0x')
  })

  test('a transfer clears the wallet (MetadataSet before Transfer) and the new owner re-verifies', async () => {
    const agentId = await register(alice)
    const deadline = (await latestTimestamp()) + 60n
    const signature = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: alice.address,
      deadline,
    })
    await mined(identity(alice).write.setAgentWallet([agentId, carol.address, deadline, signature]))

    const receipt = await mined(
      identity(alice).write.safeTransferFrom([alice.address, bob.address, agentId]),
    )
    const events = registeredEvents(receipt.logs)
    expect(events.map((e) => e.eventName)).toEqual(['MetadataSet', 'Transfer'])
    expect(events[0]!.args).toEqual({
      agentId,
      indexedMetadataKey: agentWalletKeyHash,
      metadataKey: 'agentWallet',
      metadataValue: '0x',
    })
    expect(await identity(bob).read.getAgentWallet([agentId])).toBe(zeroAddress)
    expect(await identity(bob).read.ownerOf([agentId])).toBe(bob.address)

    // The old owner lost every right; the old proof names the old owner, so it no longer verifies.
    expect(await revertOf(identity(alice).write.setAgentURI([agentId, 'ipfs://x']))).toBe(
      'Not authorized',
    )
    expect(
      await revertOf(
        identity(bob).write.setAgentWallet([agentId, carol.address, deadline, signature]),
      ),
    ).toBe('invalid wallet sig')
    const fresh = await signWalletSet(carol, {
      agentId,
      newWallet: carol.address,
      owner: bob.address,
      deadline,
    })
    await mined(identity(bob).write.setAgentWallet([agentId, carol.address, deadline, fresh]))
    expect(await identity(alice).read.getAgentWallet([agentId])).toBe(carol.address)

    // transferFrom (not only the safe variant) clears it too.
    await mined(identity(bob).write.transferFrom([bob.address, dave.address, agentId]))
    expect(await identity(alice).read.getAgentWallet([agentId])).toBe(zeroAddress)
  })
})
