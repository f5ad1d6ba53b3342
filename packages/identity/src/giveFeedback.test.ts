import { reputationRegistryAbi, testUsdcAbi } from '@tollgate/contracts'
import { keccak256, stringToBytes, zeroHash } from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import { useDocumentServer, useRegistries } from '../test/useRegistries.js'
import { appendResponse } from './appendResponse.js'
import { EmptyClientListError, InvalidFeedbackValueError } from './errors.js'
import { feedbackFileSchema } from './feedbackFile.js'
import { getReputationSummary } from './getReputationSummary.js'
import { giveFeedback } from './giveFeedback.js'
import { readFeedback } from './readFeedback.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { revokeFeedback } from './revokeFeedback.js'

const chain = useRegistries()
const server = useDocumentServer()
let agentId: bigint

beforeAll(async () => {
  ;({ agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'seller', x402Support: true }),
    publish: { kind: 'data' },
  }))
})

const seller = () => chain.devnet.accounts[0]!.address
const buyer = () => chain.devnet.accounts[1]!.address

/** A real USDC payment from the buyer to the seller: the transaction feedback can point at. */
async function pay() {
  const hash = await chain.wallet(1).writeContract({
    address: chain.devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'transfer',
    args: [seller(), 10_000n],
  })
  await chain.devnet.publicClient.waitForTransactionReceipt({ hash })
  return hash
}

describe('giveFeedback', () => {
  test('a feedback file with proofOfPayment, hashed and counted in the summary', async () => {
    const registry = chain.registries.reputationRegistry
    const txHash = await pay()
    const createdAt = new Date('2026-08-01T12:00:00.000Z')
    const result = await giveFeedback(chain.wallet(1), {
      registry,
      agentId,
      value: '95',
      tag1: 'x402',
      tag2: 'weather',
      endpoint: 'https://seller.example/api/report',
      createdAt,
      feedback: {
        proofOfPayment: {
          fromAddress: buyer(),
          toAddress: seller(),
          chainId: chain.devnet.chainId,
          txHash,
        },
        mcp: { tool: 'report' },
      },
    })
    expect(result.feedbackIndex).toBe(1n)
    expect(result.file).toEqual({
      mcp: { tool: 'report' },
      agentRegistry: `eip155:${chain.devnet.chainId}:${chain.registries.identityRegistry}`,
      agentId: Number(agentId),
      clientAddress: `eip155:${chain.devnet.chainId}:${buyer()}`,
      createdAt: '2026-08-01T12:00:00.000Z',
      value: 95,
      valueDecimals: 0,
      tag1: 'x402',
      tag2: 'weather',
      endpoint: 'https://seller.example/api/report',
      proofOfPayment: {
        fromAddress: buyer(),
        toAddress: seller(),
        chainId: String(chain.devnet.chainId),
        txHash,
      },
    })
    expect(feedbackFileSchema.parse(JSON.parse(result.json!))).toEqual(result.file)
    expect(result.feedbackHash).toBe(keccak256(stringToBytes(result.json!)))
    expect(result.feedbackURI.startsWith('data:application/json;base64,')).toBe(true)

    const read = await readFeedback(chain.devnet.publicClient, {
      registry,
      agentId,
      clientAddress: buyer(),
      feedbackIndex: 1n,
      includeFile: true,
    })
    expect(read).toMatchObject({
      value: 95n,
      valueDecimals: 0,
      formatted: '95',
      tag1: 'x402',
      tag2: 'weather',
      isRevoked: false,
      hashMatches: true,
      event: {
        endpoint: 'https://seller.example/api/report',
        feedbackURI: result.feedbackURI,
        feedbackHash: result.feedbackHash,
        transactionHash: result.transactionHash,
      },
    })
    expect(read.file?.proofOfPayment?.txHash).toBe(txHash)

    const summary = await getReputationSummary(chain.devnet.publicClient, {
      registry,
      agentId,
      clients: [buyer()],
    })
    expect(summary).toEqual({ count: 1n, value: 95n, valueDecimals: 0, average: '95' })
  })

  test('decimals, tags, revocation and the summary over trusted clients', async () => {
    const registry = chain.registries.reputationRegistry
    const second = await giveFeedback(chain.wallet(1), {
      registry,
      agentId,
      value: '99.77',
      tag1: 'uptime',
    })
    expect(second.feedbackIndex).toBe(2n)
    expect(second.file).toMatchObject({ value: 9977, valueDecimals: 2 })
    // (95, 0) and (9977, 2): normalised to 18 decimals, averaged, rescaled to the decimals used most
    // (a tie goes to the smaller): 97.385 -> 97.
    const both = await getReputationSummary(chain.devnet.publicClient, {
      registry,
      agentId,
      clients: [buyer()],
    })
    expect(both).toMatchObject({ count: 2n, average: '97' })
    expect(
      await getReputationSummary(chain.devnet.publicClient, {
        registry,
        agentId,
        clients: [buyer()],
        tag1: 'uptime',
      }),
    ).toEqual({ count: 1n, value: 9977n, valueDecimals: 2, average: '99.77' })
    // An untrusted client's feedback is not counted.
    await giveFeedback(chain.wallet(2), { registry, agentId, value: -100n })
    expect(
      (
        await getReputationSummary(chain.devnet.publicClient, {
          registry,
          agentId,
          clients: [buyer()],
        })
      ).count,
    ).toBe(2n)

    await revokeFeedback(chain.wallet(1), { registry, agentId, feedbackIndex: 2n })
    expect(
      await getReputationSummary(chain.devnet.publicClient, {
        registry,
        agentId,
        clients: [buyer()],
      }),
    ).toMatchObject({ count: 1n, average: '95' })
    expect(
      (
        await readFeedback(chain.devnet.publicClient, {
          registry,
          agentId,
          clientAddress: buyer(),
          feedbackIndex: 2n,
        })
      ).isRevoked,
    ).toBe(true)
    await expect(
      revokeFeedback(chain.wallet(1), { registry, agentId, feedbackIndex: 2n }),
    ).rejects.toThrow(/Already revoked/)
  })

  test('URL and file-less publishing', async () => {
    const registry = chain.registries.reputationRegistry
    const byUrl = await giveFeedback(chain.wallet(3), {
      registry,
      agentId,
      value: 87n,
      publish: {
        kind: 'url',
        allowHttp: true,
        upload: ({ json, feedbackHash }) => {
          server.documents.set(`/feedback/${feedbackHash}.json`, json)
          return `${server.url}/feedback/${feedbackHash}.json`
        },
      },
    })
    const read = await readFeedback(chain.devnet.publicClient, {
      registry,
      agentId,
      clientAddress: chain.devnet.accounts[3]!.address,
      feedbackIndex: byUrl.feedbackIndex,
      includeFile: true,
      fetchOptions: { allowHttp: true },
    })
    expect(read.hashMatches).toBe(true)
    expect(read.file).toEqual(byUrl.file)
    // Tampered bytes no longer match the on-chain hash.
    server.documents.set(
      `/feedback/${byUrl.feedbackHash}.json`,
      byUrl.json!.replace('"value":87', '"value":1'),
    )
    const tampered = await readFeedback(chain.devnet.publicClient, {
      registry,
      agentId,
      clientAddress: chain.devnet.accounts[3]!.address,
      feedbackIndex: byUrl.feedbackIndex,
      includeFile: true,
      fetchOptions: { allowHttp: true },
    })
    expect(tampered.hashMatches).toBe(false)

    const bare = await giveFeedback(chain.wallet(3), {
      registry,
      agentId,
      value: '1.5',
      publish: { kind: 'none' },
    })
    expect(bare).toMatchObject({ feedbackURI: '', feedbackHash: zeroHash, file: undefined })
    const bareRead = await readFeedback(chain.devnet.publicClient, {
      registry,
      agentId,
      clientAddress: chain.devnet.accounts[3]!.address,
      feedbackIndex: bare.feedbackIndex,
      includeFile: true,
    })
    expect(bareRead).toMatchObject({ value: 15n, valueDecimals: 1, event: { feedbackURI: '' } })
    expect(bareRead.file).toBeUndefined()
  })

  test('responses', async () => {
    const registry = chain.registries.reputationRegistry
    const { responseHash, responseURI } = await appendResponse(chain.wallet(0), {
      registry,
      agentId,
      clientAddress: buyer(),
      feedbackIndex: 1n,
      response: { text: 'thanks' },
    })
    expect(responseHash).toBe(keccak256(stringToBytes('{"text":"thanks"}')))
    expect(responseURI.startsWith('data:')).toBe(true)
    await appendResponse(chain.wallet(2), {
      registry,
      agentId,
      clientAddress: buyer(),
      feedbackIndex: 1n,
      responseURI: 'ipfs://bafyresponse',
    })
    const count = await chain.devnet.publicClient.readContract({
      address: registry,
      abi: reputationRegistryAbi,
      functionName: 'getResponseCount',
      args: [agentId, buyer(), 1n, []],
    })
    expect(count).toBe(2n)
  })

  test('refusals', async () => {
    const registry = chain.registries.reputationRegistry
    await expect(giveFeedback(chain.wallet(0), { registry, agentId, value: '50' })).rejects.toThrow(
      /Self-feedback not allowed/,
    )
    await expect(
      giveFeedback(chain.wallet(1), { registry, agentId, value: '0.0000000000000000001' }),
    ).rejects.toBeInstanceOf(InvalidFeedbackValueError)
    await expect(
      giveFeedback(chain.wallet(1), { registry, agentId, value: 1n, valueDecimals: 19 }),
    ).rejects.toBeInstanceOf(InvalidFeedbackValueError)
    await expect(
      getReputationSummary(chain.devnet.publicClient, { registry, agentId, clients: [] }),
    ).rejects.toBeInstanceOf(EmptyClientListError)
  })
})
