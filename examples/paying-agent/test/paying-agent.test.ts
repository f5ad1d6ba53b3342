import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testUsdcAbi } from '@tollgate/contracts'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type RunningExample, runExample, stopExamples } from '../../paid-api/test/runExample.js'

const devnet = useDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'tollgate-paying-agent-'))
let api: RunningExample
let url: string

beforeAll(async () => {
  api = runExample('paid-api/src/server.ts', {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: devnet.accounts[1]!.address,
    USDC_ADDRESS: devnet.usdc.address,
    SETTLER_PRIVATE_KEY: devnet.accounts[2]!.privateKey,
    PORT: '0',
  })
  url = (await api.waitFor(/paid-api listening on (http:\S+)/))[1]!
})
afterAll(async () => {
  expect(await api.stop()).toBe(0)
  await stopExamples()
  rmSync(dir, { recursive: true, force: true })
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

async function runAgent(env: Record<string, string>) {
  const agent = runExample('paying-agent/src/agent.ts', {
    AGENT_PRIVATE_KEY: devnet.accounts[0]!.privateKey,
    NETWORK: devnet.network,
    ASSET: devnet.usdc.address,
    ASSET_DECIMALS: '6',
    MAX_PER_REQUEST: '$0.02',
    HOST_BUDGET: '$0.05',
    ...env,
  })
  const code = await agent.exited
  return { code, output: agent.output() }
}

test('pays five $0.01 calls, refuses the sixth over the $0.05 host budget, logs five receipts', async () => {
  const receiptsFile = join(dir, 'budget.jsonl')
  const seller = devnet.accounts[1]!.address
  const before = await balanceOf(seller)

  const run = await runAgent({ API_URL: `${url}/weather`, CALLS: '6', RECEIPTS_FILE: receiptsFile })
  expect(run.code).toBe(0)
  const paid = run.output.match(/^call \d: 200 paid \$0\.01 in 0x[0-9a-f]{64} /gm) ?? []
  expect(paid).toHaveLength(5)
  expect(run.output).toMatch(/^call 6: refused \(budget\), nothing signed/m)
  expect(run.output).toContain(`${receiptsFile}: 5 settled payments, $0.05 in total`)
  expect(await balanceOf(seller)).toBe(before + 50_000n)

  const lines = readFileSync(receiptsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(lines).toHaveLength(5)
  expect(new Set(lines.map((receipt) => receipt.transaction)).size).toBe(5)
  expect(lines.every((receipt) => receipt.status === 'settled' && receipt.amount === '10000')).toBe(
    true,
  )

  // Restarted with the same receipt log, the agent still has no budget left for this host.
  const again = await runAgent({
    API_URL: `${url}/weather`,
    CALLS: '1',
    RECEIPTS_FILE: receiptsFile,
  })
  expect(again.code).toBe(0)
  expect(again.output).toMatch(/^call 1: refused \(budget\), nothing signed/m)
  expect(await balanceOf(seller)).toBe(before + 50_000n)
})

test('refuses a call above the per-request cap and a network it is not allowed to pay on', async () => {
  const seller = devnet.accounts[1]!.address
  const before = await balanceOf(seller)
  const capped = await runAgent({
    API_URL: `${url}/reports/3`,
    RECEIPTS_FILE: join(dir, 'cap.jsonl'),
  })
  expect(capped.code).toBe(0)
  expect(capped.output).toMatch(/^call 1: refused \(maxPerRequest\), nothing signed/m)

  const elsewhere = await runAgent({
    API_URL: `${url}/weather`,
    NETWORK: 'eip155:8453',
    ASSET: devnet.usdc.address,
    RECEIPTS_FILE: join(dir, 'network.jsonl'),
  })
  expect(elsewhere.code).toBe(0)
  expect(elsewhere.output).toMatch(/^call 1: refused \((network|asset)\), nothing signed/m)
  expect(await balanceOf(seller)).toBe(before)
})
