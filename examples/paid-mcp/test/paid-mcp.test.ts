import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { testUsdcAbi } from '@tollgate/contracts'
import { getReceipt, wrapMcpClient } from '@tollgate/mcp/client'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from '../../paid-api/test/runExample.js'

const devnet = useDevnet({ accounts: 4 })
const root = fileURLToPath(new URL('../../..', import.meta.url))
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  await stopExamples()
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

const serverEnv = () => ({
  RPC_URL: devnet.rpcUrl,
  PAY_TO: devnet.accounts[1]!.address,
  USDC_ADDRESS: devnet.usdc.address,
  SETTLER_PRIVATE_KEY: devnet.accounts[2]!.privateKey,
})

/** Three paid calls through our client: the payee gains the price each time, once per call. */
async function payThreeTimes(transport: Transport, url: string | undefined) {
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  await client.connect(transport)
  closers.push(() => client.close())
  const paying = wrapMcpClient(client, {
    account: devnet.accounts[0]!.account,
    assets: [devnet.usdc],
    reconcile: false,
    ...(url ? { url } : {}),
  })
  const payTo = devnet.accounts[1]!.address
  for (const city of ['Oslo', 'Bergen', 'Tromsø']) {
    const before = await balanceOf(payTo)
    const result = await paying.callTool({ name: 'forecast', arguments: { city } })
    expect(result.structuredContent).toEqual({ city, high: 21, sky: 'sunny' })
    const settlement = result._meta?.['x402/payment-response'] as { transaction: string }
    expect(settlement).toMatchObject({ success: true, network: devnet.network })
    expect(getReceipt(result)).toMatchObject({
      status: 'settled',
      transaction: settlement.transaction,
      amount: 10_000n,
    })
    expect(await balanceOf(payTo)).toBe(before + 10_000n)
  }
}

test('over Streamable HTTP on loopback: each call paid once on-chain, settlement in the result', async () => {
  const server = runExample('paid-mcp/src/server.ts', { ...serverEnv(), PORT: '0' })
  const [, url] = await server.waitFor(/listening on (http:\S+\/mcp)/)
  await payThreeTimes(new StreamableHTTPClientTransport(new URL(url!)), url)
})

test('over stdio: each call paid once on-chain, settlement in the result', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'examples/paid-mcp/src/server.ts', '--stdio'],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...serverEnv() },
    stderr: 'pipe',
  })
  await payThreeTimes(transport, undefined)
})

test('the agent pays within its budget: two calls paid, the third refused unsigned', async () => {
  const server = runExample('paid-mcp/src/server.ts', { ...serverEnv(), PORT: '0' })
  const [, url] = await server.waitFor(/listening on (http:\S+\/mcp)/)
  const payTo = devnet.accounts[1]!.address
  const before = await balanceOf(payTo)
  const agent = runExample('paid-mcp/src/agent.ts', {
    MCP_URL: url!,
    AGENT_PRIVATE_KEY: devnet.accounts[3]!.privateKey,
    RPC_URL: devnet.rpcUrl,
    USDC_ADDRESS: devnet.usdc.address,
    CALLS: '3',
    BUDGET: '$0.02',
  })
  expect(await agent.exited, agent.output()).toBe(0)
  const output = agent.output()
  expect(output.match(/^call \d: paid \$0\.01 in 0x[0-9a-f]{64}: \{"city":"Oslo"/gm)).toHaveLength(
    2,
  )
  expect(output).toMatch(/^call 3: refused \(budget\), nothing signed$/m)
  expect(await balanceOf(payTo)).toBe(before + 20_000n)
})
