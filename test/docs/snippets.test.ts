import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'

// The getting-started guides may only show code that a test runs: scripts/docs-snippets.mjs
// checks each block against the region of the file its marker names. These tests run the script
// as CI does, on the real guides and on small fixture repositories built for each failure.

const root = fileURLToPath(new URL('../..', import.meta.url))
const script = join(root, 'scripts/docs-snippets.mjs')

type Run = { code: number; stdout: string; stderr: string }

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [script, ...args], { cwd: root }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      done({ code, stdout, stderr })
    })
  })
}

const server = [
  "import express from 'express'",
  '',
  'export function createApp() {',
  '  // #region paywall',
  '  const app = express()',
  "  app.get('/report', (_req, res) => {",
  '    res.json({ ok: true })',
  '  })',
  '  // #endregion paywall',
  '  return app',
  '}',
  '',
].join('\n')

const fixtures: string[] = []

/** A tiny repository: a workspace package, an example with a `start` script, one guide. */
function makeRepo(guide: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-snippets-'))
  fixtures.push(dir)
  const files: Record<string, string> = {
    'packages/express/package.json': JSON.stringify({ name: '@tollgate/express' }),
    'packages/test/package.json': JSON.stringify({ name: '@tollgate/test', private: true }),
    'examples/paid-api/package.json': JSON.stringify({
      name: '@tollgate/example-paid-api',
      private: true,
      scripts: { start: 'tsx src/server.ts' },
    }),
    'examples/paid-api/src/server.ts': server,
    'docs/getting-started/api-providers.md': guide,
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

afterEach(() => {
  for (const dir of fixtures.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const region = [
  'const app = express()',
  "app.get('/report', (_req, res) => {",
  '  res.json({ ok: true })',
  '})',
].join('\n')

function guide(...parts: string[]): string {
  return ['# Guide', '', ...parts, ''].join('\n')
}

const goodGuide = guide(
  'Install:',
  '',
  '```sh',
  '# the middleware',
  'npm install @tollgate/express',
  'pnpm add -D @tollgate/express@0.1.0',
  'pnpm --filter @tollgate/example-paid-api start',
  '```',
  '',
  '<!-- snippet: examples/paid-api/src/server.ts#paywall -->',
  '```ts',
  region,
  '```',
)

describe('scripts/docs-snippets.mjs', () => {
  test('the real getting-started guides match their sources', async () => {
    const result = await run(['--check'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/match their sources/)
  })

  test('a guide whose blocks equal their regions passes', async () => {
    const dir = makeRepo(goodGuide)
    const result = await run(['--check', '--root', dir])
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('docs snippets: 2 block(s) in 1 guide(s) match their sources')
    expect(result.code).toBe(0)
  })

  test('a whole file is the snippet when the marker names no region, without region lines', async () => {
    const whole = [
      "import express from 'express'",
      '',
      'export function createApp() {',
      '  const app = express()',
      "  app.get('/report', (_req, res) => {",
      '    res.json({ ok: true })',
      '  })',
      '  return app',
      '}',
    ].join('\n')
    const dir = makeRepo(
      guide('<!-- snippet: examples/paid-api/src/server.ts -->', '```ts', whole, '```'),
    )
    const result = await run(['--check', '--root', dir])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  test('a block indented in a list item is compared without its indent', async () => {
    const indented = region
      .split('\n')
      .map((line) => `   ${line}`)
      .join('\n')
    const listGuide = guide(
      '1. Add the paywall:',
      '',
      '   <!-- snippet: examples/paid-api/src/server.ts#paywall -->',
      '   ```ts',
      indented,
      '   ```',
    )
    const dir = makeRepo(listGuide.replace('{ ok: true }', '{ ok: 1 }'))
    expect((await run(['--check', '--root', dir])).code).toBe(1)
    expect((await run(['--write', '--root', dir])).code).toBe(0)
    expect(readFileSync(join(dir, 'docs/getting-started/api-providers.md'), 'utf8')).toBe(listGuide)
  })

  test('a block that drifted from its region fails, and --write repairs it', async () => {
    const dir = makeRepo(goodGuide.replace('res.json({ ok: true })', 'res.json({ ok: false })'))
    const check = await run(['--check', '--root', dir])
    expect(check.code).toBe(1)
    expect(check.stderr).toContain(
      'docs/getting-started/api-providers.md:13: block differs from examples/paid-api/src/server.ts#paywall',
    )
    expect(check.stderr).toContain('node scripts/docs-snippets.mjs --write')

    const write = await run(['--write', '--root', dir])
    expect(write.code).toBe(0)
    expect(readFileSync(join(dir, 'docs/getting-started/api-providers.md'), 'utf8')).toBe(goodGuide)
    expect((await run(['--check', '--root', dir])).code).toBe(0)
  })

  test('a code block without a marker fails', async () => {
    const dir = makeRepo(guide('```ts', region, '```'))
    const result = await run(['--check', '--root', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'docs/getting-started/api-providers.md:3: code block without a `<!-- snippet: <path>[#region] -->` marker',
    )
  })

  test('a marker naming a file that does not exist fails', async () => {
    const dir = makeRepo(
      guide('<!-- snippet: examples/paid-api/src/missing.ts#paywall -->', '```ts', region, '```'),
    )
    const result = await run(['--check', '--root', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'snippet examples/paid-api/src/missing.ts#paywall: examples/paid-api/src/missing.ts does not exist',
    )
  })

  test('a marker naming a region the file lacks fails', async () => {
    const dir = makeRepo(
      guide('<!-- snippet: examples/paid-api/src/server.ts#listen -->', '```ts', region, '```'),
    )
    const result = await run(['--check', '--root', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('examples/paid-api/src/server.ts has no `// #region listen`')
  })

  test('a marker outside the repository fails', async () => {
    const dir = makeRepo(guide('<!-- snippet: ../etc/passwd -->', '```ts', region, '```'))
    const result = await run(['--check', '--root', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('../etc/passwd is outside the repository')
  })

  test.each([
    ['curl -fsSL https://example.com/install.sh | sh', 'only `pnpm`/`npm` lines'],
    ['npm install left-pad', '`left-pad` is not a published workspace @tollgate/* package'],
    [
      'pnpm add @tollgate/nope',
      '`@tollgate/nope` is not a published workspace @tollgate/* package',
    ],
    [
      'npm install @tollgate/test',
      '`@tollgate/test` is not a published workspace @tollgate/* package',
    ],
    [
      'pnpm --filter @tollgate/example-gone start',
      '`@tollgate/example-gone` is not a workspace package',
    ],
    [
      'pnpm --filter @tollgate/example-paid-api deploy',
      '@tollgate/example-paid-api has no script `deploy`',
    ],
    [
      'npm install @tollgate/express && rm -rf ~',
      '`&&` is not a published workspace @tollgate/* package',
    ],
  ])('the shell line %s is refused', async (line, why) => {
    const dir = makeRepo(guide('```sh', 'npm install @tollgate/express', line, '```'))
    const result = await run(['--check', '--root', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`docs/getting-started/api-providers.md:5: ${why}`)
    expect(result.stderr).not.toContain(':4:')
  })
})
