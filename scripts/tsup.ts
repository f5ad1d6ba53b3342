import { readFileSync } from 'node:fs'
import type { Options } from 'tsup'

/**
 * One tsup entry per `exports` key of the package: `.` builds `src/exports/index.ts`,
 * `./devnet` builds `src/exports/devnet.ts`. ESM first, CJS beside it, declarations for both.
 */
export function createTsupConfig(packageDir: string, overrides: Options = {}): Options {
  const pkg = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')) as {
    exports?: Record<string, unknown>
    dependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
  }
  const entry: Record<string, string> = {}
  for (const key of Object.keys(pkg.exports ?? {})) {
    if (key === './package.json') continue
    const name = key === '.' ? 'index' : key.slice(2)
    entry[name] = `src/exports/${name}.ts`
  }
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: true,
    treeshake: true,
    external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
    ...overrides,
  }
}
