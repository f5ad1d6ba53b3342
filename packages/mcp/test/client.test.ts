import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { PaymentRequired } from '@tollgate/core'
import { createLocalFacilitator } from '@tollgate/evm'
import {
  BudgetExceededError,
  createMemoryReceiptLog,
  PolicyRefusedError,
  type Receipt,
} from '@tollgate/payer'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi } from 'viem'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { getReceipt } from '../src/client/receipts.js'
import { type WrapMcpClientParameters, wrapMcpClient } from '../src/client/wrapMcpClient.js'
import { createMcpPaywall } from '../src/server/createMcpPaywall.js'
import { balanceOf, connectInMemory } from './fixtures.js'
import { createJsonRpc402Server, type ErrorForm } from './jsonRpc402Server.js'

const devnet = useDevnet({ accounts: 8 })

let payTo: Address
let facilitator: ReturnType<typeof createLocalFacilitator>
let runs = 0
let paymentsSeen = 0
const closers: (() => Promise<void>)[] = []

beforeAll(() => {
  payTo = devnet.accounts[1]!.address
  facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(devnet.accounts[2]!.account),
    assets: [devnet.usdc],
  })
})

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

/** Our paid `forecast` tool ($0.01) and a paying client over the SDK's in-memory transport. */
async function paidForecast(
  parameters: Partial<WrapMcpClientParameters> & { payer?: number } = {},
) {
  runs = 0
  paymentsSeen = 0
  const server = new McpServer({ name: 'weather', version: '1.0.0' })
  const paywall = createMcpPaywall(server, facilitator, {
    assets: [devnet.usdc],
    logger: false,
    hooks: { onVerified: () => void paymentsSeen++ },
  })
  paywall.registerTool(
    'forecast',
    {
      inputSchema: { city: z.string() },
      price: '$0.01',
      payTo,
      network: devnet.network,
      asset: devnet.usdc.address,
    },
    async ({ city }) => {
      runs++
      return { content: [{ type: 'text', text: `Sunny in ${city}` }] }
    },
  )
  const client = await connectInMemory(server)
  closers.push(() => client.close())
  const receipts: Receipt[] = []
  const { payer = 0, ...rest } = parameters
  const paying = wrapMcpClient(client, {
    account: devnet.accounts[payer]!.account,
    assets: [devnet.usdc],
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    onReceipt: (receipt) => void receipts.push(receipt),
    ...rest,
  })
  return { paying, receipts }
}

async function transfersTo(address: Address, fromBlock: bigint) {
  return devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { to: address },
    fromBlock,
  })
}

describe('wrapMcpClient', () => {
  test('pays a paid tool once, under the policy, with a settled receipt', async () => {
    const { paying } = await paidForecast()
    const before = await balanceOf(devnet, payTo)
    const result = await paying.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
    expect(result.content).toEqual([{ type: 'text', text: 'Sunny in Oslo' }])
    const receipt = getReceipt(result)
    expect(receipt).toMatchObject({
      status: 'settled',
      amount: 10_000n,
      url: 'mcp://localhost/weather/tools/forecast',
      method: 'tools/call',
    })
    expect(result._meta?.['x402/payment-response']).toMatchObject({
      success: true,
      transaction: receipt?.transaction,
    })
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
    expect(runs).toBe(1)
  })

  test('20 concurrent calls with a budget for 5: 5 transfers, 15 refusals before signing', async () => {
    const { paying, receipts } = await paidForecast({
      payer: 3,
      policy: { budgets: [{ limit: '$0.05', windowMs: 3_600_000 }] },
    })
    const before = await balanceOf(devnet, payTo)
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        paying.callTool({ name: 'forecast', arguments: { city: `city ${i}` } }),
      ),
    )
    const paid = outcomes.filter((outcome) => outcome.status === 'fulfilled')
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason] : [],
    )
    expect(paid).toHaveLength(5)
    expect(refused).toHaveLength(15)
    for (const error of refused) expect(error).toBeInstanceOf(BudgetExceededError)
    // Only the five paid calls signed anything: five receipts, five payments at the server.
    expect(receipts.map((receipt) => receipt.status)).toEqual(Array(5).fill('settled'))
    expect(paymentsSeen).toBe(5)
    expect(runs).toBe(5)
    expect(await transfersTo(payTo, fromBlock)).toHaveLength(5)
    expect(await balanceOf(devnet, payTo)).toBe(before + 50_000n)
  })

  test('a tool asking more than the policy allows is refused before anything is signed', async () => {
    const { paying, receipts } = await paidForecast({ policy: { maxPerRequest: '$0.005' } })
    const before = await balanceOf(devnet, payTo)
    const error = await paying
      .callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PolicyRefusedError)
    expect((error as PolicyRefusedError).shortMessage).toMatchInlineSnapshot(
      `"Payment refused by the maxPerRequest rule: 10000 (0.01) is above the cap 5000 (0.005)."`,
    )
    expect(receipts).toEqual([])
    expect(paymentsSeen).toBe(0)
    expect(runs).toBe(0)
    expect(await balanceOf(devnet, payTo)).toBe(before)
  })

  test('a purchase retried re-sends the same authorization: one run, one transfer', async () => {
    const receipts = createMemoryReceiptLog()
    const { paying } = await paidForecast({ payer: 4, receipts })
    const before = await balanceOf(devnet, payTo)
    const call = () =>
      paying.callTool(
        { name: 'forecast', arguments: { city: 'Oslo' } },
        { purchase: { id: 'forecast-oslo-2026-11-25' } },
      )
    const first = await call()
    const second = await call()
    expect(second.content).toEqual(first.content)
    const [a, b] = [getReceipt(first)!, getReceipt(second)!]
    expect(b.signed).toEqual(a.signed)
    expect(b.transaction).toBe(a.transaction)
    expect(b.status).toBe('settled')
    expect(runs).toBe(1)
    expect(await balanceOf(devnet, payTo)).toBe(before + 10_000n)
    expect(await paying.purchases.get('forecast-oslo-2026-11-25')).toMatchObject({
      status: 'settled',
      purchase: 'forecast-oslo-2026-11-25',
    })
  })

  const forms: [string, ErrorForm][] = [
    ['code 402, the challenge in data', { code: 402, nested: false }],
    ['code 402, the challenge in data.x402', { code: 402, nested: true }],
    ['code -32042, the challenge in data.x402', { code: -32042, nested: true }],
  ]
  test.each(forms)('a server that signals with a JSON-RPC error (%s) is paid', async (_, form) => {
    const legacyPayee = devnet.accounts[5]!.address
    const paymentRequired: PaymentRequired = {
      x402Version: 2,
      resource: { url: 'mcp://tool/quote' },
      accepts: [
        {
          scheme: 'exact',
          network: devnet.network,
          amount: '20000',
          asset: devnet.usdc.address,
          payTo: legacyPayee,
          maxTimeoutSeconds: 60,
          extra: { name: devnet.usdc.eip712.name, version: devnet.usdc.eip712.version },
        },
      ],
    }
    const legacy = createJsonRpc402Server(facilitator, { paymentRequired, form })
    const client = await connectInMemory(legacy.server)
    closers.push(() => client.close())
    const paying = wrapMcpClient(client, {
      account: devnet.accounts[6]!.account,
      assets: [devnet.usdc],
      reconcile: false,
    })
    const before = await balanceOf(devnet, legacyPayee)
    const result: CallToolResult = await paying.callTool({ name: 'quote', arguments: {} })
    expect(result.content).toEqual([{ type: 'text', text: 'a quote' }])
    expect(getReceipt(result)).toMatchObject({
      status: 'settled',
      url: 'mcp://localhost/legacy-402/tools/quote',
    })
    expect(legacy.runs()).toBe(1)
    expect(await balanceOf(devnet, legacyPayee)).toBe(before + 20_000n)
  })
})
