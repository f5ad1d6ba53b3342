import { existsSync } from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

// Bundles the built main entry of @tollgate/fetch (`packages/fetch/dist/index.js`), or of another
// package (@tollgate/payer, which fetch imports), and its whole dependency graph for a runtime
// without Node: the build fails if anything in it imports a Node built-in (`node:fs`,
// `diagnostics_channel`, `undici`'s `net`, ...).

/** The part of esbuild's API used here. */
type Esbuild = {
  build(options: Record<string, unknown>): Promise<{
    outputFiles: { text: string }[]
    metafile: { inputs: Record<string, unknown> }
  }>
}

// esbuild comes with tsup (a root dev dependency), so the workspace needs no other package.
const require = createRequire(import.meta.url)
const esbuild = createRequire(require.resolve('tsup'))('esbuild') as Esbuild

const builtins = new Set(builtinModules)

/** An esbuild plugin that turns every import of a Node built-in into a build error. */
const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string; importer: string }) => unknown,
    ): void
  }) {
    build.onResolve({ filter: /^[a-z_:][a-z0-9_/:.-]*$/ }, ({ path, importer }) => {
      const name = path.startsWith('node:') ? path.slice(5) : path
      if (!path.startsWith('node:') && !builtins.has(name.split('/')[0]!)) return undefined
      return { errors: [{ text: `${importer} imports the Node built-in "${path}"` }] }
    })
  },
}

/**
 * An entry of a built package (fetch's main one, `index.js`, by default) bundled: `esm` for a
 * page's `import()`, or `iife` assigning it to `globalThis.tollgateFetch` for a plain script.
 * Also the files that went into it.
 */
export async function bundleFetch(
  format: 'esm' | 'iife',
  file = 'index.js',
  pkg: 'fetch' | 'payer' = 'fetch',
): Promise<{ code: string; inputs: string[] }> {
  const dist = new URL(`../../packages/${pkg}/dist/`, import.meta.url)
  const entry = fileURLToPath(new URL(file, dist))
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: build the packages first (pnpm build).`)
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format,
    ...(format === 'iife' ? { globalName: 'tollgateFetch' } : {}),
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    // The published graph, as an app would bundle it: not the workspace's tsconfig paths to sources.
    tsconfigRaw: {},
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  })
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }
}
