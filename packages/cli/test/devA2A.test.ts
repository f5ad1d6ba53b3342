import { existsSync } from 'node:fs'
import { readFeedback, resolveAgent } from '@tollgate/identity'
import {
  type Address,
  createPublicClient,
  erc20Abi,
  type Hash,
  http,
  isAddressEqual,
  parseEventLogs,
} from 'viem'
import { afterEach, expect, test } from 'vitest'
import { type CliProcess, isRunning, spawnCli, stopCli, waitForExit } from './cli.js'

const started: CliProcess[] = []
afterEach(async () => {
  // A failed assertion must not leave a `--keep` process running.
  for (const cli of started.splice(0)) await stopCli(cli)
})

/** The JSON document once stdout holds all of it (read loosely: a test names its fields). */
// biome-ignore lint/suspicious/noExplicitAny: the report is checked field by field below
type Document = Record<string, any>
function parsed(stdout: string): Document | undefined {
  try {
    return JSON.parse(stdout)
  } catch {
    return undefined
  }
}

test('dev --a2a: registry -> A2A card -> three tasks paid inside the task (one transfer each), the fourth refused unsigned -> feedback on-chain citing the last settlement', async () => {
  const cli = spawnCli(['dev', '--a2a', '--json', '--keep'])
  started.push(cli)
  const report = await cli.waitFor(({ stdout }) => parsed(stdout))
  expect(cli.stderr).not.toMatch(/tollgate dev:/)
  const { running } = report
  const client = createPublicClient({ transport: http(running.rpcUrl) })
  const buyer = running.testAccounts.buyer.address as Address
  const seller = running.testAccounts.seller.address as Address

  // Registry -> card: the seller's registration lists its agent card as the A2A service, the
  // buyer used that card, and the card declares the x402 extension.
  const agent = await resolveAgent(client, {
    registry: running.contracts.identityRegistry,
    agentId: BigInt(report.agentId),
    fetchOptions: { allowHttp: true },
  })
  expect(agent.a2a?.endpoint).toBe(report.endpoint)
  expect(report.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/agent-card\.json$/)
  expect(report.agentWallet).toBe(seller)
  const card = await (await fetch(report.endpoint, { headers: { 'A2A-Version': '1.0' } })).json()
  expect(card.capabilities.extensions).toContainEqual(
    expect.objectContaining({
      uri: 'https://github.com/google-agentic-commerce/a2a-x402/blob/main/spec/v0.2',
      required: true,
    }),
  )

  // Card -> paid tasks: three completed, each one transfer of $0.01 buyer -> seller on-chain;
  // the fourth refused by the budget before anything was signed.
  expect(report.calls.map((call: { status: unknown }) => call.status)).toEqual([
    'completed',
    'completed',
    'completed',
    'refused',
  ])
  expect(report.calls[3]).toMatchObject({ amount: '0', refusedBy: 'budget' })
  const paid: Hash[] = report.calls
    .slice(0, 3)
    .map((call: { transaction: Hash }) => call.transaction)
  expect(new Set(paid).size).toBe(3)
  for (const hash of paid) {
    const receipt = await client.getTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    const transfers = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
    expect(transfers).toHaveLength(1)
    expect(isAddressEqual(transfers[0]!.address, running.contracts.usdc)).toBe(true)
    expect(transfers[0]!.args).toEqual({ from: buyer, to: seller, value: 10_000n })
  }
  const [buyerBalance, sellerBalance] = report.balances
  expect(BigInt(buyerBalance.before) - BigInt(buyerBalance.after)).toBe(30_000n)
  expect(BigInt(sellerBalance.after) - BigInt(sellerBalance.before)).toBe(30_000n)

  // Paid task -> feedback: on-chain, its file's proof of payment is the last settlement.
  expect(report.feedback).toMatchObject({
    feedbackIndex: '1',
    value: '95',
    proofOfPayment: paid[2],
  })
  const feedback = await readFeedback(client, {
    registry: running.contracts.reputationRegistry,
    agentId: BigInt(report.agentId),
    clientAddress: buyer,
    feedbackIndex: 1n,
    includeFile: true,
    fetchOptions: { allowHttp: true },
  })
  expect(feedback.formatted).toBe('95')
  expect(feedback.hashMatches).not.toBe(false)
  expect(feedback.file?.proofOfPayment).toMatchObject({
    fromAddress: buyer,
    toAddress: seller,
    txHash: paid[2],
  })
  expect((feedback.file as { a2a?: { skills?: string[] } } | undefined)?.a2a?.skills).toEqual([
    'forecast',
  ])

  // Ctrl-C stops everything.
  const pid = Number(cli.stderr.match(/anvil pid (\d+)/)?.[1])
  const tempDir = cli.stderr.match(/SQLite ledger (\S+)\/facilitator\.db/)?.[1]
  expect(isRunning(pid)).toBe(true)
  cli.child.kill('SIGINT')
  expect(await cli.exited).toEqual({ code: 0, signal: null })
  expect(await waitForExit(pid)).toBe(true)
  expect(existsSync(tempDir!)).toBe(false)
}, 90_000)
