import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { expect, test } from 'vitest'
import { buildPageScript } from '../../../scripts/pageScript.js'
import { pageScript, paywallPageScriptHash } from './pageScript.generated.js'

// The checked-in script is what its sources build to (rebuild with
// `pnpm --filter @tollgate/paywall build:page-script`), its hash is its own, and it stays small.

test('the checked-in page script is built from the current sources', async () => {
  const built = await buildPageScript()
  expect(pageScript).toBe(built.source)
  expect(paywallPageScriptHash).toBe(built.hash)
})

test('its CSP hash is the SHA-256 of the exact inline text', () => {
  const digest = createHash('sha256').update(pageScript).digest('base64')
  expect(paywallPageScriptHash).toBe(`'sha256-${digest}'`)
})

test('it stays small: under 4 KB gzipped, and no script delimiter inside', () => {
  expect(gzipSync(pageScript, { level: 9 }).length).toBeLessThan(4096)
  expect(pageScript).not.toMatch(/<\/script|<!--/i)
})
