import { defineConfig } from 'tsup'
import { createTsupConfig } from '../../scripts/tsup'

// `shims`: the devnet resolves the anvil binary from `import.meta.url`, which the CJS build must provide.
export default defineConfig(createTsupConfig(new URL('./', import.meta.url).href, { shims: true }))
