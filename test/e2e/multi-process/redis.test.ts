import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type StartRedisReturnType, startRedis, useDevnet } from '@tollgate/test'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type Answer,
  type Api,
  apiConfig,
  authorizationsUsed,
  balanceOf,
  get,
  handlerRuns,
  signPayment,
  startApi,
  startProxy,
} from './fixtures.js'

// Issue #19's acceptance: two Express API processes behind a round-robin proxy, each settling in
// process (`createLocalFacilitator`, its own wallet), sharing one Redis (`createRedisStore`).
// One payment sent 50 times at once runs the handler once and moves the money once; after the
// process that served it is killed (SIGKILL), the same payment identifier gets the kept answer
// from the other process, and from the killed one restarted. memory.test.ts is the same without
// Redis. docs/providers/shared-state.md describes both.

const devnet = useDevnet({ accounts: 4 })
const dir = mkdtempSync(join(tmpdir(), 'tollgate-multi-redis-'))
const runsFile = join(dir, 'runs')
const apis: Api[] = []
let redis: StartRedisReturnType
let proxy: Awaited<ReturnType<typeof startProxy>>
const price = 10_000n // $0.01

function start(name: string, operator: 2 | 3) {
  const [, payee] = devnet.accounts
  return startApi(
    apiConfig(devnet, {
      name,
      operator: devnet.accounts[operator]!,
      payTo: payee!.address,
      runsFile,
      redisUrl: redis.url,
    }),
  )
}

beforeAll(async () => {
  redis = await startRedis()
  apis.push(...(await Promise.all([start('A', 2), start('B', 3)])))
  proxy = await startProxy(apis.map((api) => api.url))
}, 120_000)

afterAll(async () => {
  await proxy?.close()
  await Promise.all(apis.map((api) => api.kill()))
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('two API processes on one Redis, one payment', () => {
  let paid: Record<string, string>
  let kept: Answer
  let fromBlock: bigint
  let before: bigint

  test('sent 50 times at once through the proxy: 1 handler run, 1 transfer, 50 same answers', async () => {
    const [payer, payee] = devnet.accounts
    fromBlock = await devnet.publicClient.getBlockNumber()
    before = await balanceOf(devnet, payee!.address)
    const header = await signPayment(`${proxy.url}/report`, {
      payer: payer!.account,
      id: `pay_${crypto.randomUUID().replace(/-/g, '')}`,
    })
    paid = { 'PAYMENT-SIGNATURE': header }

    const answers = await Promise.all(
      Array.from({ length: 50 }, () => get(`${proxy.url}/report`, paid)),
    )
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200))
    kept = answers[0]!
    expect(JSON.parse(kept.body)).toMatchObject({ report: 'paid content' })
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1)
    expect(new Set(answers.map((answer) => answer.headers['payment-response'])).size).toBe(1)
    expect(handlerRuns(runsFile)).toHaveLength(1)
    expect(await authorizationsUsed(devnet, { payer: payer!.address, fromBlock })).toBe(1)
    expect(await balanceOf(devnet, payee!.address)).toBe(before + price)
  }, 60_000)

  test('kill -9 the process that served it: the same payment gets the kept answer, no second charge', async () => {
    const [payer, payee] = devnet.accounts
    const [server] = handlerRuns(runsFile)
    const killed = apis.find((api) => api.name === server)!
    await killed.kill()

    // Through the proxy, which skips the dead process: the other process has never run it.
    for (const answer of [
      await get(`${proxy.url}/report`, paid),
      await get(`${proxy.url}/report`, paid),
    ]) {
      expect(answer.status).toBe(200)
      expect(answer.body).toBe(kept.body)
      expect(answer.headers['payment-response']).toBe(kept.headers['payment-response'])
    }
    // The killed process restarted on the same Redis: one API across a restart.
    const restarted = await start(`${server} again`, server === 'A' ? 2 : 3)
    apis.push(restarted)
    const again = await get(`${restarted.url}/report`, { ...paid, host: new URL(proxy.url).host })
    expect(again.status).toBe(200)
    expect(again.body).toBe(kept.body)

    expect(handlerRuns(runsFile)).toEqual([server])
    expect(await authorizationsUsed(devnet, { payer: payer!.address, fromBlock })).toBe(1)
    expect(await balanceOf(devnet, payee!.address)).toBe(before + price)
  }, 60_000)
})
