// Writes `src/http/page/pageScript.generated.ts` from the script's sources and prints its sizes:
// `pnpm --filter @tollgate/paywall build:page-script`.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { buildPageScript, generatedModule, pageScriptPaths } from './pageScript.js'

const built = await buildPageScript()
writeFileSync(pageScriptPaths.generated, generatedModule(built))
// Formatted as the repository's linter wants it, so `pnpm lint` passes on the generated file.
spawnSync('pnpm', ['exec', 'biome', 'format', '--write', pageScriptPaths.generated], {
  stdio: 'inherit',
})
console.log(`page script: ${built.bytes} bytes, ${built.gzipBytes} bytes gzipped (level 9)`)
