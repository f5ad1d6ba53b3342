import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// The README's demo, as a newcomer runs it (against the built packages, in its own process).
test('the demo: discovery, five paid calls, the sixth refused, feedback citing a payment; exit 0', () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url))
  const run = spawnSync('pnpm', ['exec', 'tsx', 'index.ts'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  })
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  const paid = run.stdout
    .split('\n')
    .filter((line) => /^\d+\s+200\s+\$0\.01\s+0x[0-9a-f]{64}\s/.test(line))
  expect(paid).toHaveLength(5)
  expect(new Set(paid.map((line) => line.split(/\s+/)[3])).size).toBe(5)
  expect(run.stdout).toMatch(/^6\s+refused \(budget\)\s+-\s+-\s+nothing signed$/m)
  expect(run.stdout).toMatch(/^seller\s+\$1000\s+\$1000\.05\s+\$0\.05$/m)
  expect(run.stdout).toMatch(/^buyer\s+\$1000\s+\$999\.95\s+-\$0\.05$/m)
  expect(run.stdout).toMatch(/^• buyer found agent #0: .*, domain verified, pays only 0x/m)
  // The feedback's proof of payment is the settlement transaction of the last paid call.
  const lastPaid = paid.at(-1)!.split(/\s+/)[3]
  expect(run.stdout).toContain(`feedback #1 (95/100) cites payment ${lastPaid}`)
  expect(run.stdout).toMatch(/reputation of agent #0 from this buyer: 1 review, average 95$/m)
})
