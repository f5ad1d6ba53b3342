// Runs the whole vitest suite and ends with one plain line, `tests: N passed, N failed`,
// so CI logs state the count whatever the reporter prints above it.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'

const report = '.vitest-report.json'
rmSync(report, { force: true })
const args = [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]
const run = spawnSync('pnpm', args, { stdio: 'inherit' })

let passed = 0
let failed = 0
let skipped = 0
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  failed = json.numFailedTests + (json.numFailedTestSuites ?? 0)
  skipped = json.numPendingTests + json.numTodoTests
} catch {
  failed = Math.max(failed, 1)
}
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
const code = run.status ?? 1
process.exit(code !== 0 ? code : failed > 0 || passed === 0 ? 1 : 0)
