import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// docs/operations/metrics.md lists every metric the facilitator exports, with its labels. The names
// are read from the sources, so a metric added, renamed or removed without the doc fails here.

const root = fileURLToPath(new URL('../..', import.meta.url))

function listSources(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...listSources(path))
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(path)
  }
  return files
}

test('every facilitator metric is documented, and every documented metric exists', () => {
  const inCode = new Set<string>()
  for (const file of listSources(join(root, 'packages/facilitator/src')))
    for (const match of readFileSync(file, 'utf8').matchAll(/'(tollgate_facilitator_[a-z_]+)'/g))
      inCode.add(match[1] ?? '')

  const doc = readFileSync(join(root, 'docs/operations/metrics.md'), 'utf8')
  const inDoc = new Set(
    [...doc.matchAll(/^\| `(tollgate_facilitator_[a-z_]+)` \|/gm)].map((match) => match[1] ?? ''),
  )

  expect(inCode.size).toBeGreaterThan(10)
  expect([...inDoc].sort()).toEqual([...inCode].sort())
})
