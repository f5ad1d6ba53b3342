import {
  type Account,
  type Address,
  getAddress,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
  zeroHash,
} from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  reputationRegistryAbi,
  reputationRegistryBytecode,
} from '../generated/ReputationRegistry.js'
import { erc8004Version } from './constants.js'
import { revertOf, useRegistries } from './testFixture.js'

const fixture = useRegistries({ accounts: 6 })
const { identity, reputation, mined } = fixture

let owner: Account
let operator: Account
let approved: Account
let clientA: Account
let clientB: Account
let clientC: Account

beforeAll(() => {
  ;[owner, operator, approved, clientA, clientB, clientC] = fixture.accounts() as [
    Account,
    Account,
    Account,
    Account,
    Account,
    Account,
  ]
})

/** A new agent of `owner`, with `approved` approved for the token. */
async function newAgent(): Promise<bigint> {
  const agentId = await fixture.register(owner)
  await mined(identity(owner).write.approve([approved.address, agentId]))
  return agentId
}

type Feedback = {
  value: bigint
  decimals?: number | undefined
  tag1?: string | undefined
  tag2?: string | undefined
}

async function give(client: Account, agentId: bigint, f: Feedback) {
  return mined(
    reputation(client).write.giveFeedback([
      agentId,
      f.value,
      f.decimals ?? 0,
      f.tag1 ?? '',
      f.tag2 ?? '',
      '',
      '',
      zeroHash,
    ]),
  )
}

describe('ReputationRegistry: setup', () => {
  test('points at its Identity Registry and reports the reference version', async () => {
    expect(await reputation(clientA).read.getIdentityRegistry()).toBe(
      getAddress(fixture.registries.identityRegistry),
    )
    expect(await reputation(clientA).read.getVersion()).toBe(erc8004Version)
  })

  test('the constructor rejects the zero identity registry', async () => {
    const reason = await revertOf(
      fixture.devnet.walletClient(owner).deployContract({
        abi: reputationRegistryAbi,
        bytecode: reputationRegistryBytecode,
        args: [zeroAddress],
      }),
    )
    expect(reason).toBe('bad identity')
  })
})

describe('ReputationRegistry: giveFeedback', () => {
  test('stores the feedback, emits NewFeedback with every field, and indexes from 1 per client', async () => {
    const agentId = await newAgent()
    expect(await reputation(clientA).read.getLastIndex([agentId, clientA.address])).toBe(0n)

    const feedbackHash = keccak256(toHex('{"value":87}'))
    const receipt = await mined(
      reputation(clientA).write.giveFeedback([
        agentId,
        87n,
        0,
        'starred',
        'quality',
        'https://agent.example/mcp',
        'ipfs://feedback',
        feedbackHash,
      ]),
    )
    const [event] = parseEventLogs({ abi: reputationRegistryAbi, logs: receipt.logs })
    expect(event!.eventName).toBe('NewFeedback')
    expect(event!.args).toEqual({
      agentId,
      clientAddress: clientA.address,
      feedbackIndex: 1n,
      value: 87n,
      valueDecimals: 0,
      indexedTag1: keccak256(toHex('starred')),
      tag1: 'starred',
      tag2: 'quality',
      endpoint: 'https://agent.example/mcp',
      feedbackURI: 'ipfs://feedback',
      feedbackHash,
    })
    expect(receipt.logs[0]!.topics[3]).toBe(keccak256(toHex('starred')))

    await give(clientA, agentId, { value: 9977n, decimals: 2, tag1: 'uptime' })
    await give(clientB, agentId, { value: -32n, decimals: 1, tag1: 'tradingYield' })
    expect(await reputation(clientA).read.getLastIndex([agentId, clientA.address])).toBe(2n)
    expect(await reputation(clientA).read.getLastIndex([agentId, clientB.address])).toBe(1n)
    expect(await reputation(clientA).read.readFeedback([agentId, clientA.address, 1n])).toEqual([
      87n,
      0,
      'starred',
      'quality',
      false,
    ])
    expect(await reputation(clientA).read.readFeedback([agentId, clientA.address, 2n])).toEqual([
      9977n,
      2,
      'uptime',
      '',
      false,
    ])
    expect(await reputation(clientA).read.readFeedback([agentId, clientB.address, 1n])).toEqual([
      -32n,
      1,
      'tradingYield',
      '',
      false,
    ])
    expect(await reputation(clientA).read.getClients([agentId])).toEqual([
      clientA.address,
      clientB.address,
    ])
  })

  test('the owner, an approved-for-all operator and the token-approved address cannot give feedback', async () => {
    const agentId = await newAgent()
    await mined(identity(owner).write.setApprovalForAll([operator.address, true]))
    for (const account of [owner, operator, approved]) {
      expect(
        await revertOf(
          reputation(account).write.giveFeedback([agentId, 1n, 0, '', '', '', '', zeroHash]),
        ),
      ).toBe('Self-feedback not allowed')
    }
    await mined(identity(owner).write.setApprovalForAll([operator.address, false]))
    // Once the operator approval is gone, the former operator is an ordinary client.
    await give(operator, agentId, { value: 1n })
    expect(await reputation(clientA).read.getLastIndex([agentId, operator.address])).toBe(1n)
  })

  test('an unknown agent reverts with ERC721NonexistentToken', async () => {
    const reason = await revertOf(
      reputation(clientA).write.giveFeedback([10_000n, 1n, 0, '', '', '', '', zeroHash]),
    )
    expect(reason).toBe('ERC721NonexistentToken')
  })

  test('valueDecimals above 18 and |value| above 1e38 revert; the bounds themselves are accepted', async () => {
    const agentId = await newAgent()
    const write = reputation(clientA).write
    expect(await revertOf(write.giveFeedback([agentId, 1n, 19, '', '', '', '', zeroHash]))).toBe(
      'too many decimals',
    )
    const max = 10n ** 38n
    expect(
      await revertOf(write.giveFeedback([agentId, max + 1n, 0, '', '', '', '', zeroHash])),
    ).toBe('value too large')
    expect(
      await revertOf(write.giveFeedback([agentId, -max - 1n, 0, '', '', '', '', zeroHash])),
    ).toBe('value too large')
    await give(clientA, agentId, { value: max, decimals: 18 })
    await give(clientA, agentId, { value: -max, decimals: 0 })
    expect(await reputation(clientA).read.readFeedback([agentId, clientA.address, 2n])).toEqual([
      -max,
      0,
      '',
      '',
      false,
    ])
  })

  test('readFeedback reverts for index 0 and past the last index', async () => {
    const agentId = await newAgent()
    await give(clientA, agentId, { value: 1n })
    const read = reputation(clientA).read
    expect(await revertOf(read.readFeedback([agentId, clientA.address, 0n]))).toBe(
      'index must be > 0',
    )
    expect(await revertOf(read.readFeedback([agentId, clientA.address, 2n]))).toBe(
      'index out of bounds',
    )
    expect(await revertOf(read.readFeedback([agentId, clientB.address, 1n]))).toBe(
      'index out of bounds',
    )
  })
})

describe('ReputationRegistry: revokeFeedback', () => {
  test('only the original client revokes, once; FeedbackRevoked is emitted', async () => {
    const agentId = await newAgent()
    await give(clientA, agentId, { value: 50n })
    await give(clientA, agentId, { value: 60n })

    expect(await revertOf(reputation(clientB).write.revokeFeedback([agentId, 1n]))).toBe(
      'index out of bounds',
    )
    expect(await revertOf(reputation(clientA).write.revokeFeedback([agentId, 0n]))).toBe(
      'index must be > 0',
    )
    expect(await revertOf(reputation(clientA).write.revokeFeedback([agentId, 3n]))).toBe(
      'index out of bounds',
    )

    const receipt = await mined(reputation(clientA).write.revokeFeedback([agentId, 2n]))
    const [event] = parseEventLogs({ abi: reputationRegistryAbi, logs: receipt.logs })
    expect(event!.eventName).toBe('FeedbackRevoked')
    expect(event!.args).toEqual({ agentId, clientAddress: clientA.address, feedbackIndex: 2n })
    expect(await reputation(clientB).read.readFeedback([agentId, clientA.address, 2n])).toEqual([
      60n,
      0,
      '',
      '',
      true,
    ])
    expect(await revertOf(reputation(clientA).write.revokeFeedback([agentId, 2n]))).toBe(
      'Already revoked',
    )
    // A revoked entry keeps its index: the next feedback is 3.
    await give(clientA, agentId, { value: 70n })
    expect(await reputation(clientA).read.getLastIndex([agentId, clientA.address])).toBe(3n)
  })
})

describe('ReputationRegistry: getSummary', () => {
  test('reverts without a client list', async () => {
    const agentId = await newAgent()
    expect(await revertOf(reputation(clientA).read.getSummary([agentId, [], '', '']))).toBe(
      'clientAddresses required',
    )
  })

  test('mixed decimals average at 18 decimals, then scale to the most frequent decimals', async () => {
    const agentId = await newAgent()
    const read = reputation(clientC).read
    await give(clientA, agentId, { value: 9977n, decimals: 2 }) // 99.77
    await give(clientB, agentId, { value: 99n, decimals: 0 }) // 99
    // (99.77 + 99) / 2 = 99.385; decimals 2 and 0 tie, so the smaller (0) wins: 99.
    expect(await read.getSummary([agentId, [clientA.address, clientB.address], '', ''])).toEqual([
      2n,
      99n,
      0,
    ])
    await give(clientC, agentId, { value: 9900n, decimals: 2 }) // 99.00
    // (99.77 + 99 + 99) / 3 = 99.2566..., decimals 2 now the mode: 9925 (truncated).
    expect(
      await read.getSummary([agentId, [clientA.address, clientB.address, clientC.address], '', '']),
    ).toEqual([3n, 9925n, 2])
    // Only the listed clients count.
    expect(await read.getSummary([agentId, [clientA.address], '', ''])).toEqual([1n, 9977n, 2])
    expect(await read.getSummary([agentId, [owner.address], '', ''])).toEqual([0n, 0n, 0])
  })

  test('negative values truncate toward zero; revoked feedback is skipped', async () => {
    const agentId = await newAgent()
    const read = reputation(clientC).read
    await give(clientA, agentId, { value: -32n, decimals: 1 }) // -3.2
    await give(clientB, agentId, { value: -1n, decimals: 0 }) // -1
    // (-3.2 + -1) / 2 = -2.1; tie between 0 and 1 decimals -> 0: -2.
    expect(await read.getSummary([agentId, [clientA.address, clientB.address], '', ''])).toEqual([
      2n,
      -2n,
      0,
    ])
    await give(clientB, agentId, { value: 1000n, decimals: 0 })
    await mined(reputation(clientB).write.revokeFeedback([agentId, 2n]))
    expect(await read.getSummary([agentId, [clientA.address, clientB.address], '', ''])).toEqual([
      2n,
      -2n,
      0,
    ])
    await mined(reputation(clientA).write.revokeFeedback([agentId, 1n]))
    await mined(reputation(clientB).write.revokeFeedback([agentId, 1n]))
    expect(await read.getSummary([agentId, [clientA.address, clientB.address], '', ''])).toEqual([
      0n,
      0n,
      0,
    ])
  })

  test('tags filter exactly and "" is a wildcard for each tag', async () => {
    const agentId = await newAgent()
    const read = reputation(clientC).read
    await give(clientA, agentId, { value: 10n, tag1: 'speed', tag2: 'mcp' })
    await give(clientA, agentId, { value: 20n, tag1: 'speed', tag2: 'a2a' })
    await give(clientB, agentId, { value: 30n, tag1: 'quality', tag2: 'mcp' })
    await give(clientB, agentId, { value: 40n, tag1: 'Speed', tag2: 'mcp' })
    const clients = [clientA.address, clientB.address]
    expect(await read.getSummary([agentId, clients, '', ''])).toEqual([4n, 25n, 0])
    expect(await read.getSummary([agentId, clients, 'speed', ''])).toEqual([2n, 15n, 0])
    expect(await read.getSummary([agentId, clients, '', 'mcp'])).toEqual([3n, 26n, 0])
    expect(await read.getSummary([agentId, clients, 'speed', 'mcp'])).toEqual([1n, 10n, 0])
    expect(await read.getSummary([agentId, clients, 'quality', 'a2a'])).toEqual([0n, 0n, 0])
  })
})

describe('ReputationRegistry: readAllFeedback', () => {
  test('an empty client list means every client; includeRevoked and tags filter', async () => {
    const agentId = await newAgent()
    await give(clientB, agentId, { value: 1n, tag1: 't', tag2: 'x' })
    await give(clientA, agentId, { value: 2n, decimals: 1, tag1: 'u' })
    await give(clientB, agentId, { value: 3n, tag1: 't', tag2: 'y' })
    await mined(reputation(clientB).write.revokeFeedback([agentId, 1n]))
    const read = reputation(clientC).read

    expect(await read.readAllFeedback([agentId, [], '', '', true])).toEqual([
      [clientB.address, clientB.address, clientA.address],
      [1n, 2n, 1n],
      [1n, 3n, 2n],
      [0, 0, 1],
      ['t', 't', 'u'],
      ['x', 'y', ''],
      [true, false, false],
    ])
    expect(await read.readAllFeedback([agentId, [], '', '', false])).toEqual([
      [clientB.address, clientA.address],
      [2n, 1n],
      [3n, 2n],
      [0, 1],
      ['t', 'u'],
      ['y', ''],
      [false, false],
    ])
    expect(await read.readAllFeedback([agentId, [clientA.address], '', '', true])).toEqual([
      [clientA.address],
      [1n],
      [2n],
      [1],
      ['u'],
      [''],
      [false],
    ])
    expect((await read.readAllFeedback([agentId, [], 't', '', true]))[1]).toEqual([1n, 2n])
    expect((await read.readAllFeedback([agentId, [], '', 'y', true]))[1]).toEqual([2n])
    expect((await read.readAllFeedback([agentId, [], 't', 'x', false]))[1]).toEqual([])
    expect(await read.readAllFeedback([agentId + 1000n, [], '', '', true])).toEqual([
      [],
      [],
      [],
      [],
      [],
      [],
      [],
    ])
  })

  test('getClients lists each client once, in order of first feedback', async () => {
    const agentId = await newAgent()
    await give(clientC, agentId, { value: 1n })
    await give(clientA, agentId, { value: 1n })
    await give(clientC, agentId, { value: 1n })
    expect(await reputation(clientA).read.getClients([agentId])).toEqual([
      clientC.address,
      clientA.address,
    ])
    expect(await reputation(clientA).read.getClients([10_000n])).toEqual([])
  })
})

describe('ReputationRegistry: responses', () => {
  test('anyone appends a response, including to revoked feedback; ResponseAppended names the responder', async () => {
    const agentId = await newAgent()
    await give(clientA, agentId, { value: 5n })
    await mined(reputation(clientA).write.revokeFeedback([agentId, 1n]))
    const responseHash = keccak256(toHex('refund issued'))
    const receipt = await mined(
      reputation(owner).write.appendResponse([
        agentId,
        clientA.address,
        1n,
        'ipfs://response',
        responseHash,
      ]),
    )
    const [event] = parseEventLogs({ abi: reputationRegistryAbi, logs: receipt.logs })
    expect(event!.eventName).toBe('ResponseAppended')
    expect(event!.args).toEqual({
      agentId,
      clientAddress: clientA.address,
      feedbackIndex: 1n,
      responder: owner.address,
      responseURI: 'ipfs://response',
      responseHash,
    })
    await mined(
      reputation(clientB).write.appendResponse([
        agentId,
        clientA.address,
        1n,
        'ipfs://r',
        zeroHash,
      ]),
    )
    expect(
      await reputation(clientC).read.getResponseCount([agentId, clientA.address, 1n, []]),
    ).toBe(2n)
  })

  test('appendResponse reverts for index 0, an empty URI and an index past the last', async () => {
    const agentId = await newAgent()
    await give(clientA, agentId, { value: 5n })
    const write = reputation(clientB).write
    expect(
      await revertOf(write.appendResponse([agentId, clientA.address, 0n, 'ipfs://r', zeroHash])),
    ).toBe('index must be > 0')
    expect(await revertOf(write.appendResponse([agentId, clientA.address, 1n, '', zeroHash]))).toBe(
      'Empty URI',
    )
    expect(
      await revertOf(write.appendResponse([agentId, clientA.address, 2n, 'ipfs://r', zeroHash])),
    ).toBe('index out of bounds')
    expect(
      await revertOf(write.appendResponse([agentId, clientB.address, 1n, 'ipfs://r', zeroHash])),
    ).toBe('index out of bounds')
  })

  test('getResponseCount: all clients, one client, one feedback, and by responders', async () => {
    const agentId = await newAgent()
    await give(clientA, agentId, { value: 1n }) // A#1
    await give(clientA, agentId, { value: 2n }) // A#2
    await give(clientB, agentId, { value: 3n }) // B#1
    const respond = (responder: Account, client: Account, index: bigint) =>
      mined(
        reputation(responder).write.appendResponse([
          agentId,
          client.address,
          index,
          'ipfs://r',
          zeroHash,
        ]),
      )
    await respond(owner, clientA, 1n)
    await respond(owner, clientA, 1n) // the same responder twice counts twice
    await respond(clientC, clientA, 1n)
    await respond(owner, clientA, 2n)
    await respond(clientC, clientB, 1n)

    const count = (client: Address, index: bigint, responders: Address[]) =>
      reputation(clientA).read.getResponseCount([agentId, client, index, responders])
    // clientAddress 0: every feedback of every client.
    expect(await count(zeroAddress, 0n, [])).toBe(5n)
    expect(await count(zeroAddress, 7n, [])).toBe(5n) // the index is ignored then
    expect(await count(zeroAddress, 0n, [owner.address])).toBe(3n)
    expect(await count(zeroAddress, 0n, [clientC.address])).toBe(2n)
    // feedbackIndex 0: every feedback of one client.
    expect(await count(clientA.address, 0n, [])).toBe(4n)
    expect(await count(clientB.address, 0n, [])).toBe(1n)
    expect(await count(clientA.address, 0n, [clientC.address])).toBe(1n)
    // One feedback.
    expect(await count(clientA.address, 1n, [])).toBe(3n)
    expect(await count(clientA.address, 1n, [owner.address])).toBe(2n)
    expect(await count(clientA.address, 1n, [owner.address, clientC.address])).toBe(3n)
    expect(await count(clientA.address, 2n, [clientC.address])).toBe(0n)
    expect(await count(clientA.address, 9n, [])).toBe(0n)
    expect(await count(clientC.address, 0n, [])).toBe(0n)
  })
})
