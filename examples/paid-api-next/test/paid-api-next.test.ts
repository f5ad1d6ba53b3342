// The Next.js example as Next runs it in production: `next build`, then `next start` in its own
// process, paid on a fresh devnet. The build is the slow part (about a minute alone, more on a
// shared machine), so it runs once, with its own timeout; the adapter suite calls the wrapped
// route handlers through a plain Node server instead (test/interop/adapters/nextServer.ts).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { useDevnet } from '@tollgate/test'
import { afterEach, beforeAll, expect, test } from 'vitest'
import { exampleEnv, expectPaidApi } from '../../paid-api-hono/test/paidApiCase.js'
import { runNext, stopNext } from './runNext.js'

const devnet = useDevnet({ accounts: 3 })
afterEach(stopNext)

const example = fileURLToPath(new URL('..', import.meta.url))
const next = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url))

// No settings at build time: Next imports the route modules, which must not need the chain.
beforeAll(async () => {
  await promisify(execFile)(process.execPath, [next, 'build'], {
    cwd: example,
    env: { PATH: process.env.PATH ?? '', NEXT_TELEMETRY_DISABLED: '1' },
  })
}, 300_000)

test('next start: charges $0.01 for /weather and $0.01 a page, settling in process', async () => {
  const env = exampleEnv(devnet)
  const server = runNext(example, env)
  const [, url] = await server.waitFor(/Local:\s+(http:\S+)/)
  await expectPaidApi(devnet, url!)
  await server.waitFor(/settled GET \/reports\/:pages: \$0\.03 in 0x[0-9a-f]{64}/)
  expect(server.output()).not.toContain(env.SETTLER_PRIVATE_KEY!.slice(2))
})

test('next start without a way to settle: a 500 naming the setting, nothing served', async () => {
  const server = runNext(example, { ...exampleEnv(devnet), SETTLER_PRIVATE_KEY: '' })
  const [, url] = await server.waitFor(/Local:\s+(http:\S+)/)
  const response = await fetch(`${url}/weather`)
  expect(response.status).toBe(500)
  expect(await response.text()).not.toContain('Lisbon')
  expect(server.output()).toContain('Set FACILITATOR_URL, or SETTLER_PRIVATE_KEY')
})
