import type { PaymentRequirements } from '@tollgate/core'
import { listen, useDevnet } from '@tollgate/test'
import {
  type Address,
  createPublicClient,
  custom,
  type Hex,
  http,
  type LocalAccount,
  parseSignature,
  RpcRequestError,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { eip3009Abi } from './abis.js'
import { AuthorizationEventSearchError, findAuthorizationEvent } from './findAuthorizationEvent.js'
import { settleAuthorization } from './settleAuthorization.js'
import { signAuthorization } from './signAuthorization.js'

const devnet = useDevnet({ accounts: 3 })

function requirementsFor(payTo: Address): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    amount: '10',
    asset: devnet.usdc.address,
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name: devnet.usdc.name, version: devnet.usdc.version },
  }
}

/** Signs and mines a transfer with a fresh authorization of `payer`; returns its nonce and hash. */
async function transfer(payer: LocalAccount): Promise<{ nonce: Hex; hash: Hex }> {
  const requirements = requirementsFor(devnet.accounts[2]!.address)
  const payload = await signAuthorization(payer, { requirements })
  const settled = await settleAuthorization(devnet.walletClient(devnet.accounts[2]!.account), {
    payload,
    requirements,
    publicClient: devnet.publicClient,
  })
  expect(settled.success).toBe(true)
  return { nonce: payload.authorization.nonce as Hex, hash: settled.transaction as Hex }
}

/** The payer cancels a fresh nonce with `cancelAuthorization`; returns the nonce and hash. */
async function cancel(payer: LocalAccount): Promise<{ nonce: Hex; hash: Hex }> {
  const nonce =
    `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}` as Hex
  const signature = await payer.signTypedData!({
    domain: {
      name: devnet.usdc.name,
      version: devnet.usdc.version,
      chainId: devnet.chainId,
      verifyingContract: devnet.usdc.address,
    },
    types: {
      CancelAuthorization: [
        { name: 'authorizer', type: 'address' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'CancelAuthorization',
    message: { authorizer: payer.address, nonce },
  })
  const { v, r, s } = parseSignature(signature)
  const hash = await devnet.walletClient(payer).writeContract({
    address: devnet.usdc.address,
    abi: eip3009Abi,
    functionName: 'cancelAuthorization',
    args: [payer.address, nonce, Number(v), r, s],
  })
  await devnet.publicClient.waitForTransactionReceipt({ hash })
  return { nonce, hash }
}

/**
 * A client on the devnet behind a provider's rule: `eth_getLogs` over more than `maxRange` blocks
 * is refused with the JSON-RPC error a hosted node sends; every call is counted.
 */
function cappedClient(
  maxRange: bigint,
  refusal = { code: -32602, message: 'block range too large' },
) {
  const ranges: [bigint, bigint][] = []
  const client = createPublicClient({
    transport: custom(
      {
        async request({ method, params }) {
          if (method === 'eth_getLogs') {
            const [{ fromBlock, toBlock }] = params as [{ fromBlock: Hex; toBlock: Hex }]
            ranges.push([BigInt(fromBlock), BigInt(toBlock)])
            if (BigInt(toBlock) - BigInt(fromBlock) + 1n > maxRange)
              throw new RpcRequestError({ body: { method, params }, error: refusal, url: 'capped' })
          }
          return devnet.publicClient.request({ method, params } as never)
        },
      },
      { retryCount: 0 },
    ),
  })
  return { client, ranges }
}

describe('findAuthorizationEvent', () => {
  test('tells a transfer from a cancellation, and finds nothing for an unused nonce', async () => {
    const payer = devnet.accounts[0]!.account
    const used = await transfer(payer)
    const canceled = await cancel(payer)
    const base = { asset: devnet.usdc.address, authorizer: payer.address }

    expect(
      await findAuthorizationEvent(devnet.publicClient, { ...base, nonce: used.nonce }),
    ).toMatchObject({ kind: 'used', transactionHash: used.hash })
    expect(
      await findAuthorizationEvent(devnet.publicClient, { ...base, nonce: canceled.nonce }),
    ).toMatchObject({ kind: 'canceled', transactionHash: canceled.hash })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: canceled.hash })
    expect(
      await findAuthorizationEvent(devnet.publicClient, { ...base, nonce: canceled.nonce }),
    ).toEqual({
      kind: 'canceled',
      transactionHash: canceled.hash,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
    })
    // Another authorizer's nonce, or a fresh one: nothing.
    expect(
      await findAuthorizationEvent(devnet.publicClient, {
        ...base,
        authorizer: devnet.accounts[1]!.address,
        nonce: used.nonce,
      }),
    ).toBeUndefined()
  })

  test('reads in pages a capped node accepts, newest first, and stops at the event', async () => {
    const payer = devnet.accounts[1]!.account
    const { nonce, hash } = await transfer(payer)
    const eventBlock = await devnet.publicClient.getBlockNumber()
    await devnet.testClient.mine({ blocks: 1_200 })
    const head = await devnet.publicClient.getBlockNumber()
    const { client, ranges } = cappedClient(1_000n)

    const event = await findAuthorizationEvent(client, {
      asset: devnet.usdc.address,
      authorizer: payer.address,
      nonce,
    })
    expect(event).toMatchObject({ kind: 'used', transactionHash: hash, blockNumber: eventBlock })
    // Pages of 1,000 from the head down, until the page with the event; none below it is read.
    const pages = ranges.length
    expect(pages).toBe(Number((head - eventBlock) / 1_000n) + 1)
    for (const [index, [from, to]] of ranges.entries()) {
      const top = head - BigInt(index) * 1_000n
      expect([from, to]).toEqual([top - 999n > 0n ? top - 999n : 0n, top])
    }
    expect(ranges.at(-1)![0] <= eventBlock && eventBlock <= ranges.at(-1)![1]).toBe(true)
  })

  test('halves the page on a "range too large" refusal, and keeps the smaller page', async () => {
    const payer = devnet.accounts[1]!.account
    const { nonce } = await transfer(payer)
    await devnet.testClient.mine({ blocks: 300 })
    const head = await devnet.publicClient.getBlockNumber()
    const { client, ranges } = cappedClient(300n, {
      code: -32005,
      message: 'query returned more than 10000 results',
    })
    const event = await findAuthorizationEvent(client, {
      asset: devnet.usdc.address,
      authorizer: payer.address,
      nonce,
      pageSizeBlocks: 1_000n,
    })
    expect(event?.kind).toBe('used')
    // 1,000 and 500 are refused; 250 is served, and the next page is 250 too.
    expect(ranges.map(([from, to]) => to - from + 1n)).toEqual([1_000n, 500n, 250n, 250n])
    expect(ranges[2]).toEqual([head - 249n, head])
  })

  test('an outage (not a range refusal) is an error, with the range and the cause', async () => {
    const payer = devnet.accounts[1]!.account
    const client = createPublicClient({
      transport: custom(
        {
          async request({ method, params }) {
            if (method === 'eth_getLogs')
              throw new RpcRequestError({
                body: { method, params },
                error: { code: -32603, message: 'internal error' },
                url: 'down',
              })
            return devnet.publicClient.request({ method, params } as never)
          },
        },
        { retryCount: 0 },
      ),
    })
    const error = await findAuthorizationEvent(client, {
      asset: devnet.usdc.address,
      authorizer: payer.address,
      nonce: `0x${'11'.repeat(32)}`,
      fromBlock: 5n,
      toBlock: 20n,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationEventSearchError)
    expect(error).toMatchObject({
      code: 'TOLLGATE_EVM_AUTHORIZATION_EVENT_SEARCH',
      fromBlock: 5n,
      toBlock: 20n,
      authorizer: payer.address,
    })
    expect(
      (error as AuthorizationEventSearchError).walk((e) => e instanceof RpcRequestError),
    ).toMatchObject({ code: -32603 })
  })
})

/**
 * A JSON-RPC server on loopback in front of the devnet, reached through viem's `http` transport
 * with its default retries: it refuses `eth_getLogs` over more than `maxRange` blocks with the
 * `-32005` a hosted node sends (which viem retries), and counts every log query.
 */
async function cappedRpc(maxRange: bigint) {
  const ranges: bigint[] = []
  const server = await listen({
    async fetch(request) {
      const body = (await request.json()) as { id: number; method: string; params: unknown[] }
      if (body.method === 'eth_getLogs') {
        const [{ fromBlock, toBlock }] = body.params as [{ fromBlock: Hex; toBlock: Hex }]
        const range = BigInt(toBlock) - BigInt(fromBlock) + 1n
        ranges.push(range)
        if (range > maxRange)
          return Response.json({
            jsonrpc: '2.0',
            id: body.id,
            error: { code: -32005, message: `query exceeds max block range ${maxRange}` },
          })
      }
      const result = await devnet.publicClient.request({
        method: body.method,
        params: body.params,
      } as never)
      return Response.json({ jsonrpc: '2.0', id: body.id, result })
    },
  })
  const client = createPublicClient({ transport: http(server.url) })
  return { client, ranges, close: () => server.close() }
}

describe('findAuthorizationEvent, as the agent uses it', () => {
  test("a refused range is not retried by viem's http transport: the page is halved at once", async () => {
    const payer = devnet.accounts[0]!.account
    const { nonce } = await transfer(payer)
    // Deep enough that no page is cut short at block 0.
    await devnet.testClient.mine({ blocks: 1_300 })
    const rpc = await cappedRpc(300n)
    try {
      const event = await findAuthorizationEvent(rpc.client, {
        asset: devnet.usdc.address,
        authorizer: payer.address,
        nonce,
      })
      expect(event?.kind).toBe('used')
      // Each refused range was asked once (viem retries a -32005 three times otherwise), and
      // halved at once until the node served it.
      const refused = rpc.ranges.filter((range) => range > 300n)
      expect(refused.length).toBeGreaterThan(0)
      expect(new Set(refused).size).toBe(refused.length)
      expect(rpc.ranges.every((range, i) => i === 0 || range <= rpc.ranges[i - 1]!)).toBe(true)
    } finally {
      await rpc.close()
    }
  })

  test('stops at the block before notBeforeSeconds, and after maxPages', async () => {
    const payer = devnet.accounts[0]!.account
    // A second between blocks, so every block has its own time.
    await devnet.testClient.mine({ blocks: 250, interval: 1 })
    const head = await devnet.publicClient.getBlockNumber()
    const bound = await devnet.publicClient.getBlock({ blockNumber: head - 150n })
    const { client, ranges } = cappedClient(1_000n)
    const unused = {
      asset: devnet.usdc.address,
      authorizer: payer.address,
      nonce: `0x${'42'.repeat(32)}` as Hex,
      pageSizeBlocks: 100n,
    }

    // The second page (head-199..head-100) reaches back past the bound: nothing older is read.
    expect(
      await findAuthorizationEvent(client, { ...unused, notBeforeSeconds: bound.timestamp }),
    ).toBeUndefined()
    expect(ranges).toEqual([
      [head - 99n, head],
      [head - 199n, head - 100n],
    ])
    ranges.length = 0
    expect(await findAuthorizationEvent(client, { ...unused, maxPages: 1 })).toBeUndefined()
    expect(ranges).toEqual([[head - 99n, head]])
  })

  test('a named transaction that logs the event proves it without reading any logs', async () => {
    const payer = devnet.accounts[0]!.account
    const used = await transfer(payer)
    const canceled = await cancel(payer)
    const other = await transfer(payer)
    const { client, ranges } = cappedClient(1_000n)
    const base = { asset: devnet.usdc.address, authorizer: payer.address }

    expect(
      await findAuthorizationEvent(client, {
        ...base,
        nonce: used.nonce,
        transactions: [used.hash],
      }),
    ).toMatchObject({ kind: 'used', transactionHash: used.hash })
    expect(
      await findAuthorizationEvent(client, {
        ...base,
        nonce: canceled.nonce,
        transactions: [canceled.hash],
      }),
    ).toMatchObject({ kind: 'canceled', transactionHash: canceled.hash })
    expect(ranges).toEqual([])
    // A transaction that carries another nonce, or none known to the node, proves nothing: the
    // logs are read.
    expect(
      await findAuthorizationEvent(client, {
        ...base,
        nonce: used.nonce,
        transactions: [other.hash, `0x${'00'.repeat(32)}`],
      }),
    ).toMatchObject({ kind: 'used', transactionHash: used.hash })
    expect(ranges.length).toBeGreaterThan(0)
  })
})
