import { existsSync } from 'node:fs'
import { testUsdcAbi } from '@tollgate/contracts'
import { type Address, createPublicClient, type Hash, http } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import { type CliProcess, isRunning, runCli, spawnCli, stopCli, waitForExit } from './cli.js'

const transferTopic = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

/** The anvil pid and the temporary directory, from the progress lines. */
function resources(stderr: string) {
  const pid = Number(stderr.match(/anvil pid (\d+)/)?.[1])
  const database = stderr.match(/SQLite ledger (\S+)\/facilitator\.db/)?.[1]
  return { pid, tempDir: database }
}

const started: CliProcess[] = []
afterEach(async () => {
  // A failed assertion must not leave a `--keep` process running.
  for (const cli of started.splice(0)) await stopCli(cli)
})

describe('tollgate dev', () => {
  test('--json: three calls paid and settled, the fourth refused by the budget; exit 0, nothing left behind', async () => {
    const cli = spawnCli(['dev', '--json'])
    started.push(cli)
    const { code } = await cli.exited
    expect(cli.stderr).not.toMatch(/tollgate dev:/)
    expect(code).toBe(0)
    const report = JSON.parse(cli.stdout)
    expect(Object.keys(report)).toEqual([
      'network',
      'agentId',
      'agentRegistry',
      'endpoint',
      'agentWallet',
      'domainVerified',
      'maxPerRequest',
      'budget',
      'calls',
      'balances',
      'feedback',
    ])
    expect(report.calls.map((call: { status: unknown }) => call.status)).toEqual([
      200,
      200,
      200,
      'refused',
    ])
    expect(report.calls[3]).toMatchObject({ amount: '0', refusedBy: 'budget' })
    const paid = report.calls.slice(0, 3)
    for (const call of paid) {
      expect(call.amount).toBe('10000')
      expect(call.transaction).toMatch(/^0x[0-9a-f]{64}$/)
      expect(BigInt(call.gasUsed)).toBeGreaterThan(21_000n)
    }
    expect(new Set(paid.map((call: { transaction: string }) => call.transaction)).size).toBe(3)
    const [buyer, seller, facilitator] = report.balances
    expect(BigInt(buyer.before) - BigInt(buyer.after)).toBe(30_000n)
    expect(BigInt(seller.after) - BigInt(seller.before)).toBe(30_000n)
    expect(facilitator.unit).toBe('ETH')
    expect(BigInt(facilitator.after)).toBeLessThan(BigInt(facilitator.before))
    expect(report.agentWallet).toBe(seller.address)
    expect(report.feedback).toMatchObject({
      feedbackIndex: '1',
      value: '95',
      proofOfPayment: paid[2].transaction,
      reputation: { count: '1', average: '95' },
    })

    const { pid, tempDir } = resources(cli.stderr)
    expect(pid).toBeGreaterThan(0)
    expect(await waitForExit(pid)).toBe(true)
    expect(tempDir).toBeDefined()
    expect(existsSync(tempDir!)).toBe(false)
  }, 60_000)

  test('--keep: the printed table matches the chain while it runs; SIGINT stops everything', async () => {
    const cli = spawnCli(['dev', '--keep'])
    started.push(cli)
    const stdout = await cli.waitFor(({ stdout }) =>
      stdout.includes('export TOLLGATE_PRIVATE_KEY=') ? stdout : undefined,
    )
    const rpcUrl = stdout.match(/export TOLLGATE_RPC_URL=(\S+)/)![1]!
    const usdc = stdout.match(/export TOLLGATE_USDC=(\S+)/)![1] as Address
    const facilitatorUrl = stdout.match(/^ {2}facilitator {2}(\S+)$/m)![1]!
    const endpoint = stdout.match(/^ {2}seller {7}(\S+)$/m)![1]!
    const client = createPublicClient({ transport: http(rpcUrl) })

    // Each paid row: its transaction succeeded in that block with that gas, and moved $0.01 to the seller.
    const rows = [...stdout.matchAll(/^(\d)\s+200\s+\$0\.01\s+(0x[0-9a-f]{64})\s+(\d+)\s+(\d+)$/gm)]
    expect(rows.map((row) => row[1])).toEqual(['1', '2', '3'])
    expect(stdout).toMatch(/^4\s+refused \(budget\)\s+-\s+-\s+-\s+-$/m)
    const balances = Object.fromEntries(
      [
        ...stdout.matchAll(
          /^(buyer|seller|facilitator)\s+(0x[0-9a-fA-F]{40})\s+(.+?)\s{2,}(.+?)\s{2,}(.+)$/gm,
        ),
      ].map((row) => [row[1], { address: row[2] as Address, after: row[4]! }]),
    )
    for (const [, , hash, gas, block] of rows) {
      const receipt = await client.getTransactionReceipt({ hash: hash as Hash })
      expect(receipt.status).toBe('success')
      expect(receipt.gasUsed).toBe(BigInt(gas!))
      expect(receipt.blockNumber).toBe(BigInt(block!))
      expect(receipt.from.toLowerCase()).toBe(balances.facilitator!.address.toLowerCase())
      const transfer = receipt.logs.find(
        (log) =>
          log.address.toLowerCase() === usdc.toLowerCase() && log.topics[0] === transferTopic,
      )
      expect(transfer?.topics[2]?.slice(26)).toBe(balances.seller!.address.slice(2).toLowerCase())
      expect(BigInt(transfer!.data)).toBe(10_000n)
    }
    const balanceOf = (address: Address) =>
      client.readContract({
        address: usdc,
        abi: testUsdcAbi,
        functionName: 'balanceOf',
        args: [address],
      })
    expect(balances.buyer!.after).toBe('$999.97')
    expect(await balanceOf(balances.buyer!.address)).toBe(999_970_000n)
    expect(balances.seller!.after).toBe('$1000.03')
    expect(await balanceOf(balances.seller!.address)).toBe(1_000_030_000n)

    // The feedback row cites the last settlement, and its transaction is on-chain.
    const feedback = stdout.match(/^1\s+95\/100\s+(0x[0-9a-f]{64})\s+(\d+)\s+(0x[0-9a-f]{64})$/m)!
    expect(feedback[3]).toBe(rows[2]![2])
    const feedbackReceipt = await client.getTransactionReceipt({ hash: feedback[1] as Hash })
    expect(feedbackReceipt.gasUsed).toBe(BigInt(feedback[2]!))
    expect(stdout).toMatch(/from this buyer: 1 review, average 95$/m)

    // The services keep running for other tools: `tollgate pay` pays the seller with the printed
    // environment alone.
    expect((await fetch(endpoint)).status).toBe(402)
    const env = Object.fromEntries(
      [...stdout.matchAll(/^ {2}export (TOLLGATE_\w+)=(\S+)/gm)].map((line) => [
        line[1]!,
        line[2]!,
      ]),
    )
    const paid = await runCli(['pay', endpoint], { env })
    expect(paid.stderr).not.toContain('tollgate pay:')
    expect(paid.code).toBe(0)
    expect(paid.stdout).toContain('  outcome      paid\n')
    expect(await balanceOf(balances.seller!.address)).toBe(1_000_040_000n)
    const supported = await (await fetch(`${facilitatorUrl}/supported`)).json()
    expect(supported.kinds).toContainEqual(
      expect.objectContaining({ x402Version: 2, scheme: 'exact', network: 'eip155:31337' }),
    )

    const { pid, tempDir } = resources(cli.stderr)
    expect(isRunning(pid)).toBe(true)
    expect(existsSync(tempDir!)).toBe(true)
    cli.child.kill('SIGINT')
    expect(await cli.exited).toEqual({ code: 0, signal: null })
    expect(await waitForExit(pid)).toBe(true)
    expect(existsSync(tempDir!)).toBe(false)
    await expect(fetch(endpoint)).rejects.toThrow()
  }, 60_000)
})
