import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { type Address, createPublicClient, erc20Abi, http } from 'viem'
import { afterEach, expect, test } from 'vitest'
import { type CliProcess, repoRoot, spawnCli, stopCli } from './cli.js'

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
const started: CliProcess[] = []
afterEach(async () => {
  // A failed assertion must not leave `tollgate dev --keep` running.
  for (const cli of started.splice(0)) await stopCli(cli)
})

test('tollgate mcp over stdio pays the x402 API of `tollgate dev --keep`, and refuses a call over its ceiling', async () => {
  const dev = spawnCli(['dev', '--keep'])
  started.push(dev)
  const printed = await dev.waitFor(({ stdout }) =>
    stdout.includes('Test accounts:') && /^ {2}settler /m.test(stdout) ? stdout : undefined,
  )
  // What `--keep` prints is all `tollgate mcp` needs: the exported environment, the seller's URL.
  const env = Object.fromEntries(
    [...printed.matchAll(/^ {2}export (TOLLGATE_\w+)=(\S+)/gm)].map((line) => [line[1]!, line[2]!]),
  )
  const endpoint = printed.match(/^ {2}seller {7}(\S+)$/m)![1]!
  const seller = printed.match(/^ {2}seller {3}(0x[0-9a-fA-F]{40})/m)![1] as Address
  const chain = createPublicClient({ transport: http(env.TOLLGATE_RPC_URL) })
  const balance = () =>
    chain.readContract({
      address: env.TOLLGATE_USDC as Address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [seller],
    })

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', bin, 'mcp', '--max-per-call', '$0.05'],
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const client = new Client({ name: 'host', version: '1.0.0' })
  await client.connect(transport)
  const texts: string[] = []
  const call = async (args: Record<string, unknown>) => {
    const result = (await client.callTool({
      name: 'x402_fetch',
      arguments: args,
    })) as CallToolResult
    texts.push(JSON.stringify(result))
    return result
  }
  try {
    const before = await balance()
    const paid = await call({ url: endpoint })
    expect(paid.isError).toBeUndefined()
    expect(paid.structuredContent).toMatchObject({
      status: 200,
      payment: { status: 'settled', paid: true, payTo: seller },
    })
    const price = (await balance()) - before
    expect(price).toBeGreaterThan(0n)

    // The call's own ceiling is below the seller's price: refused, the reason given, nothing paid.
    const refused = await call({ url: endpoint, maxPrice: '$0.001' })
    expect(refused.isError).toBe(true)
    expect(refused.structuredContent).toMatchObject({
      refused: true,
      guard: 'price',
      nothingSigned: true,
    })
    expect((refused.structuredContent as { reason: string }).reason).toMatch(
      /is above the expected 1000 \(0\.001\)/,
    )
    expect(await balance()).toBe(before + price)
  } finally {
    await client.close()
  }
  const key = env.TOLLGATE_PRIVATE_KEY!.slice(2).toLowerCase()
  for (const text of [...texts, stderr]) expect(text.toLowerCase()).not.toContain(key)
})
