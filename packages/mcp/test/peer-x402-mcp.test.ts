// Pairing with Vercel's `x402-mcp` (npm 0.0.5), both ways. It speaks x402 v1 on fixed networks
// ('base-sepolia' with its real USDC address), with dotted `_meta` keys and the payment as a
// base64 string: the devnet runs as Base Sepolia, with the test token at that USDC address, and
// a legacy x402 facilitator (as test/interop does) settles for its server.
import { experimental_createMCPClient as createMCPClient } from '@ai-sdk/mcp'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { type PaymentRequired, requirementsToV1 } from '@tollgate/core'
import { createLocalFacilitator, getAsset } from '@tollgate/evm'
import { listen, useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, publicActions } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { settle as legacySettle, verify as legacyVerify } from 'x402/facilitator'
import { withPayment } from 'x402-mcp/client'
import { createPaidMcpHandler } from 'x402-mcp/server'
import { z } from 'zod'
import { getReceipt } from '../src/client/receipts.js'
import { wrapMcpClient } from '../src/client/wrapMcpClient.js'
import { createMcpPaywall } from '../src/server/createMcpPaywall.js'

const baseSepoliaUsdc: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const dottedKeys = { payment: 'x402.payment', paymentResponse: 'x402.payment-response' }
const devnet = useDevnet({ accounts: 4, chainId: 84532 })
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  await devnet.placeUsdcAt(baseSepoliaUsdc, 'usdcAlt')
})
afterAll(async () => {
  for (const close of closers.splice(0)) await close()
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: baseSepoliaUsdc,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/** A legacy x402 facilitator over HTTP, settling with `operator`, as x402-mcp's server wants. */
async function legacyFacilitator(operator: (typeof devnet.accounts)[number]) {
  const settler = devnet.walletClient(operator.account).extend(publicActions)
  const server = await listen({
    async fetch(request) {
      const { pathname } = new URL(request.url)
      if (pathname === '/supported')
        return Response.json({
          kinds: [{ x402Version: 1, scheme: 'exact', network: 'base-sepolia' }],
        })
      const { paymentPayload, paymentRequirements } = await request.json()
      if (pathname === '/verify')
        return Response.json(
          await legacyVerify(devnet.publicClient as never, paymentPayload, paymentRequirements),
        )
      if (pathname === '/settle')
        return Response.json(
          await legacySettle(settler as never, paymentPayload, paymentRequirements),
        )
      return new Response('not found', { status: 404 })
    },
  })
  closers.push(server.close)
  return server.url
}

describe("Vercel's x402-mcp", () => {
  test('our client pays its paid tool (v1, dotted keys, base64 payment): once per call', async () => {
    const [payer, payee, operator] = devnet.accounts
    let runs = 0
    const handler = createPaidMcpHandler(
      (server) => {
        server.paidTool(
          'forecast',
          'A paid forecast',
          { price: 0.01 },
          // Its types are zod 3's; the SDK takes this zod 4 shape as well.
          { city: z.string() } as never,
          {},
          (async (args: { city: string }) => {
            runs++
            return { content: [{ type: 'text' as const, text: `Sunny in ${args.city}` }] }
          }) as never,
        )
      },
      { serverInfo: { name: 'vercel-weather', version: '1.0.0' } } as never,
      {
        recipient: payee!.address,
        network: 'base-sepolia',
        facilitator: { url: (await legacyFacilitator(operator!)) as `${string}://${string}` },
        basePath: '/',
      },
    )
    const http = await listen({ fetch: handler })
    closers.push(http.close)
    const url = `${http.url}/mcp`
    const client = new Client({ name: 'tollgate-agent', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(url)))
    closers.push(() => client.close())
    const paying = wrapMcpClient(client, {
      account: payer!.account,
      url,
      keys: dottedKeys,
      paymentEncoding: 'base64',
      policy: { networks: ['base-sepolia'], maxPerRequest: '$0.05' },
      reconcile: false,
    })
    const before = await balanceOf(payee!.address)
    for (const city of ['Oslo', 'Lima']) {
      const result = await paying.callTool({ name: 'forecast', arguments: { city } })
      expect(result.content).toEqual([{ type: 'text', text: `Sunny in ${city}` }])
      expect(result._meta?.['x402.payment-response']).toMatchObject({ success: true })
      expect(getReceipt(result)).toMatchObject({
        status: 'settled',
        x402Version: 1,
        network: 'eip155:84532',
        amount: 10_000n,
        asset: baseSepoliaUsdc,
      })
    }
    expect(runs).toBe(2)
    expect(await balanceOf(payee!.address)).toBe(before + 20_000n)
  })

  test("its client (withPayment, the test in the model's place) pays our paid tool", async () => {
    const [, payee, operator, payer] = devnet.accounts
    let runs = 0
    const server = new McpServer({ name: 'tollgate-weather', version: '1.0.0' })
    const paywall = createMcpPaywall(
      server,
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(operator!.account),
      }),
      { keys: dottedKeys, logger: false },
    )
    paywall.registerTool(
      'forecast',
      {
        description: 'A paid forecast',
        inputSchema: { city: z.string() },
        price: '$0.01',
        payTo: payee!.address,
        network: 'eip155:84532',
        asset: baseSepoliaUsdc,
      },
      async ({ city }) => {
        runs++
        return { content: [{ type: 'text', text: `Sunny in ${city}` }] }
      },
    )
    expect(getAsset({ network: 'eip155:84532', address: baseSepoliaUsdc })).toBeDefined()
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const mcpClient = await createMCPClient({ transport: clientSide })
    closers.push(() => mcpClient.close())
    const paying = await withPayment(mcpClient as never, {
      account: payer!.account,
      network: 'base-sepolia',
    })
    const tools = (await paying.tools()) as Record<
      string,
      { execute: (args: unknown, options: unknown) => Promise<unknown> }
    >
    const options = { toolCallId: 'call-1', messages: [] }
    // Unpaid: our challenge, as the model reads it.
    const challenge = (await tools.forecast!.execute({ city: 'Oslo' }, options)) as CallToolResult
    expect(challenge.isError).toBe(true)
    const paymentRequired = challenge.structuredContent as PaymentRequired
    expect(paymentRequired.x402Version).toBe(2)
    // The model's part: it hands x402-mcp's signer the offer in v1 terms, the only ones it takes.
    const requirements = requirementsToV1(paymentRequired.accepts[0]!, paymentRequired.resource)
    const { paymentAuthorization } = (await tools.generatePaymentAuthorization!.execute(
      { paymentRequirements: requirements },
      options,
    )) as { paymentAuthorization: string }
    const before = await balanceOf(payee!.address)
    const paid = (await tools.forecast!.execute(
      { city: 'Oslo', paymentAuthorization },
      options,
    )) as CallToolResult
    expect(paid.content).toEqual([{ type: 'text', text: 'Sunny in Oslo' }])
    expect(paid._meta?.['x402.payment-response']).toMatchObject({
      success: true,
      network: 'base-sepolia',
    })
    expect(runs).toBe(1)
    expect(await balanceOf(payee!.address)).toBe(before + 10_000n)
    // The same authorization again: refused as settled already; no second run, no second transfer.
    const replayed = (await tools.forecast!.execute(
      { city: 'Oslo', paymentAuthorization },
      options,
    )) as CallToolResult
    expect(replayed.isError).toBe(true)
    expect(replayed.structuredContent).toMatchObject({ error: 'duplicate_settlement' })
    expect(runs).toBe(1)
    expect(await balanceOf(payee!.address)).toBe(before + 10_000n)
  })
})
