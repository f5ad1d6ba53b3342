import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { type PaymentRequired, paymentIdentifierKey } from '@tollgate/core'
import { createLocalFacilitator, createPaymentPayload } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi } from 'viem'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { createMcpPaywall } from '../src/server/createMcpPaywall.js'
import { balanceOf, connectInMemory } from './fixtures.js'

const devnet = useDevnet({ accounts: 4 })

let payTo: Address
let runs: Map<string, number>
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1)

/** A server with a few paid tools, each run counted, and a real SDK client connected to it. */
async function setup(parameters: { url?: string } = {}) {
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
  const server = new McpServer({ name: 'weather', version: '1.0.0' })
  const paywall = createMcpPaywall(server, facilitator, {
    assets: [devnet.usdc],
    logger: false,
    ...parameters,
  })
  const offer = { payTo, network: devnet.network, asset: devnet.usdc.address }
  paywall.registerTool(
    'forecast',
    { description: 'Tomorrow', inputSchema: { city: z.string() }, price: '$0.01', ...offer },
    async ({ city }) => {
      count('forecast')
      return { content: [{ type: 'text', text: `Sunny in ${city}` }] }
    },
  )
  paywall.registerTool(
    'structured',
    {
      inputSchema: { city: z.string() },
      outputSchema: { high: z.number() },
      price: '$0.01',
      ...offer,
    },
    async ({ city }) => {
      count('structured')
      return city === 'nowhere'
        ? { content: [], structuredContent: { high: 'hot' } }
        : { content: [{ type: 'text', text: '21' }], structuredContent: { high: 21 } }
    },
  )
  paywall.registerTool(
    'days',
    {
      inputSchema: { days: z.number().int().min(1).max(9) },
      price: ({ arguments: { days } }) => BigInt(days) * 10_000n,
      ...offer,
    },
    async ({ days }) => {
      count('days')
      return { content: [{ type: 'text', text: `${days} days` }] }
    },
  )
  paywall.registerTool('broken', { price: '$0.01', ...offer }, async () => {
    count('broken')
    throw new Error('the forecast service is down')
  })
  paywall.registerTool('failing', { price: '$0.01', ...offer }, async () => {
    count('failing')
    return { isError: true, content: [{ type: 'text', text: 'no data' }] }
  })
  paywall.registerTool('prepaid', { price: '$0.01', order: 'settle-first', ...offer }, async () => {
    count('prepaid')
    return { content: [{ type: 'text', text: 'paid first' }] }
  })
  const client = await connectInMemory(server)
  return { server, client, paywall }
}

beforeAll(() => {
  payTo = devnet.accounts[1]!.address
})

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function started(parameters?: { url?: string }) {
  runs = new Map()
  const context = await setup(parameters)
  closers.push(() => context.client.close())
  return context
}

const challengeOf = (result: CallToolResult) => result.structuredContent as PaymentRequired

describe('createMcpPaywall', () => {
  test('an unpaid call gets the x402 challenge as a tool result, the tool does not run', async () => {
    const { client } = await started()
    const result = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    expect(result.isError).toBe(true)
    const challenge = challengeOf(result)
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(challenge)
    expect(challenge).toMatchObject({
      x402Version: 2,
      error: 'payment_required',
      resource: { url: 'mcp://tool/forecast', description: 'Tomorrow' },
      accepts: [{ scheme: 'exact', network: devnet.network, amount: '10000', payTo }],
    })
    expect(runs.get('forecast')).toBeUndefined()
  })

  test('with the server URL, the challenge names <url>/tools/<name>', async () => {
    const { client } = await started({ url: 'https://mcp.example.com/mcp' })
    const result = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    expect(challengeOf(result).resource?.url).toBe('https://mcp.example.com/mcp/tools/forecast')
  })

  test('a paid call runs the tool once, settles on-chain, and carries the settlement', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    const payment = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: challengeOf(unpaid),
      assets: [devnet.usdc],
    })
    const before = await balanceOf(devnet, payTo)
    const paid = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
      _meta: { 'x402/payment': payment },
    })) as CallToolResult
    expect(paid.isError).toBeFalsy()
    expect(paid.content).toEqual([{ type: 'text', text: 'Sunny in Oslo' }])
    const settlement = paid._meta?.['x402/payment-response'] as { transaction: string }
    expect(settlement).toMatchObject({ success: true, network: devnet.network })
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settlement.transaction as `0x${string}`,
    })
    expect(receipt.status).toBe('success')
    expect(runs.get('forecast')).toBe(1)
  })

  test('one payment replayed 50 times, concurrently: one run, one transfer', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    const payment = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: challengeOf(unpaid),
      assets: [devnet.usdc],
    })
    const before = await balanceOf(devnet, payTo)
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const results = (await Promise.all(
      Array.from({ length: 50 }, () =>
        client.callTool({
          name: 'forecast',
          arguments: { city: 'Oslo' },
          _meta: { 'x402/payment': payment },
        }),
      ),
    )) as CallToolResult[]
    const served = results.filter((result) => !result.isError)
    expect(served).toHaveLength(1)
    expect(runs.get('forecast')).toBe(1)
    for (const refused of results.filter((result) => result.isError))
      expect(challengeOf(refused).error).toBe('duplicate_settlement')
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
    const transfers = await devnet.publicClient.getContractEvents({
      address: devnet.usdc.address,
      abi: erc20Abi,
      eventName: 'Transfer',
      args: { to: payTo },
      fromBlock,
    })
    expect(transfers).toHaveLength(1)
  })

  test('a payment sent again with its payment identifier gets the kept result: one run, one transfer', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Bergen' },
    })) as CallToolResult
    const challenge = challengeOf(unpaid)
    const declared = challenge.extensions?.[paymentIdentifierKey] as { info?: object } | undefined
    expect(declared).toBeDefined()
    const signed = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: challenge,
      assets: [devnet.usdc],
    })
    const id = 'purchase_0123456789abcdef'
    const payment = {
      ...signed,
      extensions: {
        ...signed.extensions,
        [paymentIdentifierKey]: { ...declared, info: { ...declared?.info, id } },
      },
    }
    const before = await balanceOf(devnet, payTo)
    const runsBefore = runs.get('forecast') ?? 0
    const call = () =>
      client.callTool({
        name: 'forecast',
        arguments: { city: 'Bergen' },
        _meta: { 'x402/payment': payment },
      }) as Promise<CallToolResult>
    // The first answer may be lost on the wire; the agent sends the same payment again.
    const first = await call()
    const again = await call()
    expect(first.isError).toBeFalsy()
    expect(again.isError).toBeFalsy()
    expect(again.content).toEqual(first.content)
    expect(again._meta?.['x402/payment-response']).toEqual(first._meta?.['x402/payment-response'])
    expect(runs.get('forecast')).toBe(runsBefore + 1)
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
  })

  test('a failed run costs nothing: a throw, an isError result, an output off its schema', async () => {
    const { client } = await started()
    const payer = devnet.accounts[0]!.account
    for (const [name, args] of [
      ['broken', undefined],
      ['failing', undefined],
      ['structured', { city: 'nowhere' }],
    ] as const) {
      const unpaid = (await client.callTool({ name, arguments: args })) as CallToolResult
      const payment = await createPaymentPayload(payer, {
        paymentRequired: challengeOf(unpaid),
        assets: [devnet.usdc],
      })
      const before = await balanceOf(devnet, payTo)
      const call = () =>
        client.callTool({ name, arguments: args, _meta: { 'x402/payment': payment } })
      const failed = (await call()) as CallToolResult
      expect(failed.isError).toBe(true)
      expect(failed._meta?.['x402/payment-response']).toBeUndefined()
      expect(await balanceOf(devnet, payTo)).toBe(before)
      // Not taken: the same payment may be presented again (and fails again, uncharged).
      expect(((await call()) as CallToolResult).isError).toBe(true)
      expect(runs.get(name)).toBe(2)
      expect(await balanceOf(devnet, payTo)).toBe(before)
    }
    const thrown = await client.callTool({ name: 'broken' })
    expect(thrown.isError).toBe(true)
  })

  test('a tool with an output schema: the real client reads its challenge, and its paid result', async () => {
    const { client } = await started()
    await client.listTools() // caches the output validators the client checks results with
    const unpaid = (await client.callTool({
      name: 'structured',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    expect(challengeOf(unpaid).accepts[0]?.amount).toBe('10000')
    const payment = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: challengeOf(unpaid),
      assets: [devnet.usdc],
    })
    const paid = (await client.callTool({
      name: 'structured',
      arguments: { city: 'Oslo' },
      _meta: { 'x402/payment': payment },
    })) as CallToolResult
    expect(paid.structuredContent).toEqual({ high: 21 })
    const { tools } = await client.listTools()
    expect(tools.find((tool) => tool.name === 'structured')?.outputSchema).toMatchObject({
      type: 'object',
      anyOf: [
        { type: 'object', required: ['high'] },
        { type: 'object', required: ['x402Version', 'accepts'] },
      ],
    })
  })

  test('a price that depends on the arguments', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({
      name: 'days',
      arguments: { days: 3 },
    })) as CallToolResult
    expect(challengeOf(unpaid).accepts[0]?.amount).toBe('30000')
    const bad = (await client.callTool({ name: 'days', arguments: { days: 30 } })) as CallToolResult
    expect(bad.isError).toBe(true)
    expect(bad.structuredContent).toBeUndefined()
    expect(runs.get('days')).toBeUndefined()
  })

  test('a v1 payment (and base64, as older peers send it) pays; the answer is in v1 terms', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
    })) as CallToolResult
    const [requirement] = challengeOf(unpaid).accepts
    const v1 = {
      scheme: 'exact',
      network: devnet.network,
      maxAmountRequired: requirement!.amount,
      resource: 'mcp://tool/forecast',
      description: '',
      mimeType: 'application/json',
      payTo,
      maxTimeoutSeconds: 300,
      asset: devnet.usdc.address,
      extra: requirement!.extra,
    }
    const before = await balanceOf(devnet, payTo)
    for (const encode of [(p: unknown) => p, (p: unknown) => btoa(JSON.stringify(p))]) {
      const payment = await createPaymentPayload(devnet.accounts[0]!.account, {
        paymentRequired: { x402Version: 1, accepts: [v1] },
        assets: [devnet.usdc],
      })
      const paid = (await client.callTool({
        name: 'forecast',
        arguments: { city: 'Bergen' },
        _meta: { 'x402/payment': encode(payment) },
      })) as CallToolResult
      expect(paid.content).toEqual([{ type: 'text', text: 'Sunny in Bergen' }])
      expect(paid._meta?.['x402/payment-response']).toMatchObject({ success: true })
    }
    expect(await balanceOf(devnet, payTo)).toBe(before + 20_000n)
    const unreadable = (await client.callTool({
      name: 'forecast',
      arguments: { city: 'Oslo' },
      _meta: { 'x402/payment': 'not base64 json' },
    })) as CallToolResult
    expect(challengeOf(unreadable)).toMatchObject({ x402Version: 2, error: 'invalid_payload' })
  })

  test('settle-first: the transfer happens before the tool runs', async () => {
    const { client } = await started()
    const unpaid = (await client.callTool({ name: 'prepaid' })) as CallToolResult
    const payment = await createPaymentPayload(devnet.accounts[0]!.account, {
      paymentRequired: challengeOf(unpaid),
      assets: [devnet.usdc],
    })
    const before = await balanceOf(devnet, payTo)
    const paid = (await client.callTool({
      name: 'prepaid',
      _meta: { 'x402/payment': payment },
    })) as CallToolResult
    expect(paid.content).toEqual([{ type: 'text', text: 'paid first' }])
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
  })
})
