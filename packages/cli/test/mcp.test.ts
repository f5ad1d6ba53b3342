import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { deployRegistries } from '@tollgate/contracts'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { repoRoot, runCli, spawnCli, stopCli } from './cli.js'

const devnet = useDevnet({ accounts: 4 })
const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
let server: Server
let origin: string
let registry: Address
/** Every request the paid API received: its path and whether it carried a payment. */
const received: { path: string; paid: boolean }[] = []

const carriesPayment = (headers: IncomingHttpHeaders) =>
  headers['payment-signature'] !== undefined || headers['x-payment'] !== undefined

beforeAll(async () => {
  const [, seller, settler, owner] = devnet.accounts
  const route = (price: string) => ({
    price,
    network: devnet.network,
    asset: devnet.usdc.address,
    payTo: seller!.address,
  })
  const paywall = createPaywall(
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(settler!.account),
      assets: [devnet.usdc],
    }),
    {
      assets: [devnet.usdc],
      routes: { 'GET /report': route('$0.01'), 'GET /premium': route('$0.50') },
    },
  )
  server = createServer((req, res) => {
    received.push({ path: req.url ?? '', paid: carriesPayment(req.headers) })
    return paywall(req, res, () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ report: 'paid content', path: req.url }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // An agent in the Identity Registry, for x402_find_agents.
  const registries = await deployRegistries(
    devnet.walletClient(devnet.deployer.account),
    devnet.publicClient,
  )
  registry = registries.identityRegistry
  const registered = await runCli(
    ['agent', 'register', '--name', 'weather', '--service', `web=${origin}/report`, '--x402'],
    {
      env: {
        TOLLGATE_PRIVATE_KEY: owner!.privateKey,
        TOLLGATE_RPC_URL: devnet.rpcUrl,
        TOLLGATE_IDENTITY_REGISTRY: registry,
      },
    },
  )
  expect(registered.code).toBe(0)
})
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

const transfersTo = (address: Address, fromBlock: bigint) =>
  devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: erc20Abi,
    eventName: 'Transfer',
    args: { to: address },
    fromBlock,
  })

/** The env of `tollgate mcp`: the key in TOLLGATE_PRIVATE_KEY, the devnet and its test USDC. */
function agentEnv(): Record<string, string> {
  return {
    TOLLGATE_PRIVATE_KEY: devnet.accounts[0]!.privateKey,
    TOLLGATE_RPC_URL: devnet.rpcUrl,
    TOLLGATE_USDC: devnet.usdc.address,
    TOLLGATE_IDENTITY_REGISTRY: registry,
    TOLLGATE_BUDGET: '$1',
  }
}

/** What the tests read of a tool's structured content. */
type ToolValue = Record<string, unknown> & { payment: { transaction: string }; reason: string }

/** A tool call's result and its structured content, every text kept for the key check. */
async function call(
  client: Client,
  texts: string[],
  name: string,
  args: Record<string, unknown> = {},
) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  texts.push(JSON.stringify(result))
  return { result, value: result.structuredContent as ToolValue }
}

describe('tollgate mcp', () => {
  test('over stdio, driven by the SDK client: pays once, refuses over the ceiling unsigned, never shows the key', async () => {
    const [buyer, seller] = devnet.accounts
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', bin, 'mcp', '--max-per-call', '$0.05'],
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...agentEnv() },
      stderr: 'pipe',
    })
    let stderr = ''
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const client = new Client({ name: 'host', version: '1.0.0' })
    await client.connect(transport)
    const texts: string[] = []
    try {
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        'x402_budget',
        'x402_fetch',
        'x402_find_agents',
        'x402_purchases',
      ])

      const before = await balanceOf(seller!.address)
      const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
      received.length = 0
      const paid = await call(client, texts, 'x402_fetch', { url: `${origin}/report` })
      expect(paid.result.isError).toBeUndefined()
      expect(paid.value).toMatchObject({
        status: 200,
        body: JSON.stringify({ report: 'paid content', path: '/report' }),
        payment: { status: 'settled', paid: true, amount: '0.01 USDC', payTo: seller!.address },
      })
      expect(paid.value.payment.transaction).toMatch(/^0x[0-9a-f]{64}$/)
      expect(await balanceOf(seller!.address)).toBe(before + 10_000n)
      expect(await transfersTo(seller!.address, fromBlock)).toHaveLength(1)

      // Over the ceiling ($0.50 asked, $0.05 allowed): refused with the rule, nothing signed.
      received.length = 0
      const refused = await call(client, texts, 'x402_fetch', { url: `${origin}/premium` })
      expect(refused.result.isError).toBe(true)
      expect(refused.value).toMatchObject({
        refused: true,
        guard: 'maxPerRequest',
        nothingSigned: true,
      })
      expect(refused.value.reason).toContain('above the cap')
      expect(received).toEqual([{ path: '/premium', paid: false }])

      // The call's own maxPrice lowers the ceiling: $0.01 asked, $0.005 allowed.
      received.length = 0
      const lowered = await call(client, texts, 'x402_fetch', {
        url: `${origin}/report`,
        maxPrice: '$0.005',
      })
      expect(lowered.value).toMatchObject({ refused: true, nothingSigned: true })
      expect(received).toEqual([{ path: '/report', paid: false }])
      expect(await balanceOf(seller!.address)).toBe(before + 10_000n)

      const budget = await call(client, texts, 'x402_budget')
      expect(budget.value).toEqual({
        maxPerCall: '$0.05',
        budgets: [
          {
            scope: 'total',
            key: null,
            limit: '$1',
            windowMs: 86_400_000,
            used: '0.01',
            left: '0.99',
          },
        ],
      })
      const purchases = await call(client, texts, 'x402_purchases')
      expect(purchases.value).toMatchObject({
        count: 1,
        purchases: [
          { status: 'settled', amount: '0.01 USDC', transaction: paid.value.payment.transaction },
        ],
      })
      const agents = await call(client, texts, 'x402_find_agents', { x402: true })
      expect(agents.value).toMatchObject({
        agents: [
          {
            agentId: '0',
            name: 'weather',
            x402: true,
            services: [{ name: 'web', endpoint: `${origin}/report` }],
          },
        ],
      })
    } finally {
      await client.close()
    }
    expect(stderr).toContain(`paying from ${buyer!.address}`)
    const key = buyer!.privateKey.slice(2).toLowerCase()
    for (const text of [...texts, stderr]) expect(text.toLowerCase()).not.toContain(key)
  })

  test('over Streamable HTTP (--http): a tool call pays once', async () => {
    const [, seller] = devnet.accounts
    const cli = spawnCli(['mcp', '--http', '--port', '0', '--max-per-call', '$0.05'], {
      env: { ...agentEnv(), TOLLGATE_PRIVATE_KEY: devnet.accounts[3]!.privateKey },
    })
    const client = new Client({ name: 'host', version: '1.0.0' })
    try {
      const url = await cli.waitFor(({ stdout }) => stdout.match(/^(http:\/\/\S+\/mcp)\n/m)?.[1])
      await client.connect(new StreamableHTTPClientTransport(new URL(url)))
      const before = await balanceOf(seller!.address)
      const texts: string[] = []
      const paid = await call(client, texts, 'x402_fetch', { url: `${origin}/report` })
      expect(paid.value).toMatchObject({ status: 200, payment: { status: 'settled' } })
      expect(await balanceOf(seller!.address)).toBe(before + 10_000n)
      const key = devnet.accounts[3]!.privateKey.slice(2).toLowerCase()
      for (const text of [...texts, cli.stdout, cli.stderr])
        expect(text.toLowerCase()).not.toContain(key)
    } finally {
      await client.close()
      await stopCli(cli)
    }
  })

  test('the host configuration the docs show starts the server, within its limits', async () => {
    const file = fileURLToPath(
      new URL('../../../examples/paid-mcp/mcp-host-config.json', import.meta.url),
    )
    const host = JSON.parse(readFileSync(file, 'utf8')).mcpServers.tollgate as {
      args: string[]
      env: Record<string, string>
    }
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-mcp-host-'))
    try {
      const keyFile = join(dir, 'agent.key')
      writeFileSync(keyFile, devnet.accounts[0]!.privateKey)
      // The documented arguments, with this machine's paths: the key file, the receipts.
      const args = host.args.slice(host.args.indexOf('mcp'))
      args[args.indexOf('--key-file') + 1] = keyFile
      expect(Object.keys(host.env)).toEqual(['TOLLGATE_RECEIPTS'])
      // The host closes stdin at once: the server starts, then stops.
      const { code, stdout, stderr } = await runCli(args, {
        stdin: Readable.from([]),
        env: { TOLLGATE_RECEIPTS: join(dir, 'receipts.jsonl') },
      })
      expect(stderr).toContain(
        `paying from ${devnet.accounts[0]!.address}: at most $0.05 a call, $2 per 86400000 ms`,
      )
      expect(stderr).toContain('serving MCP on stdio')
      expect(code).toBe(0)
      expect(stdout).toBe('')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a bad configuration is refused with every problem, before serving', async () => {
    const { code, stderr } = await runCli(['mcp', '--max-per-call', 'lots', '--port', 'x'], {
      env: { TOLLGATE_PRIVATE_KEY: devnet.accounts[0]!.privateKey },
    })
    expect(code).not.toBe(0)
    expect(stderr).toContain('maxPerCall')
    expect(stderr).toContain('port')
    expect(stderr.toLowerCase()).not.toContain(
      devnet.accounts[0]!.privateKey.slice(2).toLowerCase(),
    )
  })
})
