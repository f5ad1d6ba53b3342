import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testUsdcAbi } from '@tollgate/contracts'
import { useDevnet } from '@tollgate/test'
import { type Address, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
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
    RPC_URL: devnet.rpcUrl,
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

test('followed with an agent that holds no USDC: budget left, no receipt claiming a payment', async () => {
  // The guide's agent as a new user runs it, with a key funded with ETH only.
  const key = generatePrivateKey()
  const agent = privateKeyToAccount(key).address
  await devnet.testClient.setBalance({ address: agent, value: parseEther('1') })
  const seller = devnet.accounts[1]!.address
  const before = await balanceOf(seller)
  const receiptsFile = join(dir, 'no-usdc.jsonl')

  const run = await runAgent({
    AGENT_PRIVATE_KEY: key,
    API_URL: `${url}/weather`,
    CALLS: '6',
    RECEIPTS_FILE: receiptsFile,
  })
  expect(run.code).toBe(0)
  // Each payment was answered 402 and the chain shows it unspent: refused, its money given back.
  expect(
    run.output.match(/^call \d: 402 not paid: the payment was refused, nothing moved/gm),
  ).toHaveLength(3)
  // After three payments answered with a 402 the route is not paid again (the 402-storm guard),
  // and never because the budget ran out.
  expect(run.output).toMatch(/^call 4: refused \(rateLimit\), nothing signed/m)
  expect(run.output).not.toMatch(/refused \(budget\)/)
  expect(run.output).not.toMatch(/\bpaid \$/)
  expect(run.output).toContain(`${receiptsFile}: 0 settled payments, $0 in total`)
  expect(run.output).toMatch(/^budget for 127\.0\.0\.1:\d+: \$0 of \$0\.05 spent or held$/m)

  const lines = readFileSync(receiptsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(lines.length).toBeGreaterThan(0)
  expect(lines.every((receipt) => receipt.status === 'refused')).toBe(true)
  expect(lines.every((receipt) => receipt.reconciled?.finding === 'unspent-valid')).toBe(true)
  expect(await balanceOf(seller)).toBe(before)
})
