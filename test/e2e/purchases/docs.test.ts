import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// docs/agents/purchases.md shows tested code only: each block after a `<!-- snippet: path#region -->`
// marker must equal that region of the file, dedented (the region's marker lines left out).

const root = fileURLToPath(new URL('../../..', import.meta.url))

function region(path: string, name: string): string {
  const lines = readFileSync(`${root}/${path}`, 'utf8').split('\n')
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`)
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${name}`)
  if (start < 0 || end < start) throw new Error(`no region ${name} in ${path}`)
  const body = lines.slice(start + 1, end)
  const indent = Math.min(
    ...body
      .filter((line) => line.trim() !== '')
      .map((line) => line.length - line.trimStart().length),
  )
  return body.map((line) => line.slice(indent)).join('\n')
}

test('the snippets of docs/agents/purchases.md are the code of their tests', () => {
  const doc = readFileSync(`${root}/docs/agents/purchases.md`, 'utf8')
  const snippets = [...doc.matchAll(/<!-- snippet: (\S+)#(\S+) -->\n```ts\n([\s\S]*?)\n```/g)]
  expect(snippets.length).toBeGreaterThan(0)
  for (const [, path, name, code] of snippets) expect(code).toBe(region(path!, name!))
})
