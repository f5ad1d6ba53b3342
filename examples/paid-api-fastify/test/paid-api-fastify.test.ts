import { useDevnet } from '@tollgate/test'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from '../../paid-api/test/runExample.js'
import { exampleEnv, expectPaidApi } from '../../paid-api-hono/test/paidApiCase.js'

const devnet = useDevnet({ accounts: 3 })
afterEach(stopExamples)

test('Fastify: charges $0.01 for /weather and $0.01 a page, settling in process', async () => {
  const env = exampleEnv(devnet)
  const server = runExample('paid-api-fastify/src/server.ts', { ...env, PORT: '0' })
  const [, url] = await server.waitFor(/paid-api-fastify listening on (http:\S+)/)
  await expectPaidApi(devnet, url!)
  await server.waitFor(/settled GET \/reports\/:pages: \$0\.03 in 0x[0-9a-f]{64}/)
  expect(await server.stop()).toBe(0)
  expect(server.output()).not.toContain(env.SETTLER_PRIVATE_KEY!.slice(2))
})
