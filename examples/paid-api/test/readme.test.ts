import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { testUsdcAbi } from '@tollgate/contracts'
import { useDevnet } from '@tollgate/test'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from './runExample.js'

// The README's `tollgate pay` commands, run as written (the CLI's own bin, from the repository
// root) with the environment `tollgate dev --keep` prints, against this example's server. Each
// command is a cold Node process compiling the CLI with tsx: hence the long timeout.
const devnet = useDevnet({ accounts: 3 })
afterEach(stopExamples)

const root = fileURLToPath(new URL('../../..', import.meta.url))
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The words of a shell command line: spaces split, single quotes group (all the README uses). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!)
}

test('the README pays both routes with tollgate pay and the variables tollgate dev --keep prints', async () => {
  const [buyer, seller, settler] = devnet.accounts
  const commands = [...readme.matchAll(/^npx tollgate (pay .+)$/gm)].map((match) =>
    words(match[1]!),
  )
  expect(commands.map((command) => command[1])).toEqual([
    'http://127.0.0.1:3000/weather',
    'http://127.0.0.1:3000/reports/3',
  ])
  const server = runExample('paid-api/src/server.ts', {
    RPC_URL: devnet.rpcUrl,
    PAY_TO: seller!.address,
    USDC_ADDRESS: devnet.usdc.address,
    SETTLER_PRIVATE_KEY: settler!.privateKey,
    PORT: '0',
  })
  const [, url] = await server.waitFor(/paid-api listening on (http:\S+)/)
  const before = await devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [seller!.address],
  })
  for (const command of commands) {
    const argv = command.map((word) => word.replace('http://127.0.0.1:3000', url!))
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'packages/cli/src/bin.ts', ...argv],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          TOLLGATE_RPC_URL: devnet.rpcUrl,
          TOLLGATE_USDC: devnet.usdc.address,
          TOLLGATE_PRIVATE_KEY: buyer!.privateKey,
        },
      },
    )
    expect(stdout).toContain('  outcome      paid\n')
    expect(stdout).toMatch(/^ {2}transaction {2}0x[0-9a-f]{64}$/m)
  }
  const after = await devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [seller!.address],
  })
  expect(after - before).toBe(40_000n)
  expect(await server.stop()).toBe(0)
}, 90_000)
