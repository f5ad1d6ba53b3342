// Checks every publishable package as a user would install it: publint on its package.json and
// files, and "are the types wrong" on the packed tarball (ESM and CJS consumers both resolve types).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const failures = []
const out = mkdtempSync(join(tmpdir(), 'tollgate-pack-'))
try {
  for (const name of readdirSync('packages')) {
    const dir = join('packages', name)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (pkg.private) continue
    try {
      execFileSync('pnpm', ['exec', 'publint', '--strict', dir], { stdio: 'pipe' })
      execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: 'pipe' })
      const tarball = readdirSync(out).find((f) => f.startsWith(`tollgate-${name}-`))
      execFileSync(
        'pnpm',
        ['exec', 'attw', join(out, tarball), '--profile', 'node16', '--format', 'table-flipped'],
        { stdio: 'pipe' },
      )
      console.log(`ok  ${pkg.name}`)
    } catch (error) {
      failures.push(pkg.name)
      console.error(
        `bad ${pkg.name}\n${error.stdout?.toString() ?? ''}${error.stderr?.toString() ?? error}`,
      )
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true })
}
process.exit(failures.length ? 1 : 0)
