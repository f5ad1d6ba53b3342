import { defineConfig } from 'tsup'
import { createTsupConfig } from '../../scripts/tsup'

const library = createTsupConfig(new URL('./', import.meta.url).href)

export default defineConfig([
  {
    ...library,
    // Both builds run at once: the library's clean leaves the executable alone.
    clean: ['!bin.js', '!bin.js.map'],
    // Declarations against the dependencies' published types (their `dist`, built first by
    // `pnpm -r build`), not their sources through the workspace `paths`: the CLI only consumes them.
    dts: { compilerOptions: { paths: {} } },
  },
  {
    // The executable: one ESM file with a shebang, its dependencies left to node_modules.
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: false,
    dts: false,
    splitting: false,
    external: library.external,
    banner: { js: '#!/usr/bin/env node' },
  },
])
