import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodePaymentRequiredHeader } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
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

// What a single process can and cannot promise. Two API processes behind one round-robin proxy,
// each with the default memory store and its own in-process settler, get one payment. Each
// process keeps its promises for itself (one run per payment it sees, replays of what it served),
// but nothing it knows reaches the other, or outlives it: both run the handler for one payment
// (the chain still moves the money once: the second settlement finds the authorization used),
// only the process that served can replay the answer, and a restart forgets it.
// docs/providers/shared-state.md describes this run; redis.test.ts is the same with Redis.
//
// The interleaving is the test's: both processes hold their settlement until told, so "both
// verified and ran before either settled" is set up, not raced for.

const devnet = useDevnet({ accounts: 4 })
const dir = mkdtempSync(join(tmpdir(), 'tollgate-multi-memory-'))
const runsFile = join(dir, 'runs')
const apis: Api[] = []
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
    }),
  )
}

beforeAll(async () => {
  apis.push(...(await Promise.all([start('A', 2), start('B', 3)])))
  proxy = await startProxy(apis.map((api) => api.url))
}, 120_000)

afterAll(async () => {
  await proxy?.close()
  await Promise.all(apis.map((api) => api.kill()))
  rmSync(dir, { recursive: true, force: true })
})

/** The reason a 402 gives (`error` of its `PAYMENT-REQUIRED`). */
function reasonOf(answer: Answer): string | undefined {
  const header = answer.headers['payment-required']
  return typeof header === 'string'
    ? (decodePaymentRequiredHeader(header).error ?? undefined)
    : undefined
}

describe('two API processes with memory stores, one payment', () => {
  let paid: Record<string, string>
  let served: Answer
  let fromBlock: bigint
  let before: bigint

  test('sent to both at once: 2 handler runs, 1 transfer, 1 served, 1 refused', async () => {
    const [payer, payee] = devnet.accounts
    const [a, b] = apis as [Api, Api]
    fromBlock = await devnet.publicClient.getBlockNumber()
    before = await balanceOf(devnet, payee!.address)
    const header = await signPayment(`${proxy.url}/report`, {
      payer: payer!.account,
      id: `pay_${crypto.randomUUID().replace(/-/g, '')}`,
    })
    // The Host of the proxy: both processes name the same resource, as behind a real balancer.
    paid = { 'PAYMENT-SIGNATURE': header, host: new URL(proxy.url).host }

    a.hold(true)
    b.hold(true)
    const toA = get(`${a.url}/report`, paid)
    const toB = get(`${b.url}/report`, paid)
    // Both verified the payment and ran the handler: neither knows of the other.
    await Promise.all([a.settling(), b.settling()])
    expect(handlerRuns(runsFile).sort()).toEqual(['A', 'B'])
    a.release()
    served = await toA
    b.release()
    const refused = await toB
    a.hold(false)
    b.hold(false)

    expect(served.status).toBe(200)
    expect(JSON.parse(served.body)).toMatchObject({ report: 'paid content', servedBy: 'A' })
    // B's settlement re-verifies first and finds the authorization used: B's work is withheld.
    expect(refused.status).toBe(402)
    expect(reasonOf(refused)).toBe('invalid_exact_evm_nonce_already_used')
    expect(await authorizationsUsed(devnet, { payer: payer!.address, fromBlock })).toBe(1)
    expect(await balanceOf(devnet, payee!.address)).toBe(before + price)
  }, 60_000)

  test('sent 50 times at once through the proxy: only the process that served replays it', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => get(`${proxy.url}/report`, paid)),
    )
    const replayed = answers.filter((answer) => answer.status === 200)
    const refused = answers.filter((answer) => answer.status !== 200)
    // Round robin: A's half get A's kept answer, B's half are refused as a replay.
    expect(replayed).toHaveLength(25)
    expect(replayed.every((answer) => answer.body === served.body)).toBe(true)
    expect(refused).toHaveLength(25)
    expect(refused.every((answer) => answer.status === 402)).toBe(true)
    expect(new Set(refused.map(reasonOf))).toEqual(new Set(['duplicate_settlement']))
    expect(handlerRuns(runsFile)).toHaveLength(2)
    const [payer, payee] = devnet.accounts
    expect(await authorizationsUsed(devnet, { payer: payer!.address, fromBlock })).toBe(1)
    expect(await balanceOf(devnet, payee!.address)).toBe(before + price)
  }, 60_000)

  test('kill -9 the process that served it, then restart it: the kept answer is gone', async () => {
    const [a] = apis as [Api, Api]
    await a.kill()
    // The proxy skips the dead process: B answers, and B never had the answer.
    for (const answer of [
      await get(`${proxy.url}/report`, paid),
      await get(`${proxy.url}/report`, paid),
    ]) {
      expect(answer.status).toBe(402)
      expect(reasonOf(answer)).toBe('duplicate_settlement')
    }
    // A new process on A's wallet starts with empty memory: the payment is only "used" to it now.
    const restarted = await start('A again', 2)
    apis.push(restarted)
    const answer = await get(`${restarted.url}/report`, paid)
    expect(answer.status).toBe(402)
    expect(reasonOf(answer)).toBe('invalid_exact_evm_nonce_already_used')
    expect(handlerRuns(runsFile)).toHaveLength(2)
    const [payer, payee] = devnet.accounts
    expect(await authorizationsUsed(devnet, { payer: payer!.address, fromBlock })).toBe(1)
    expect(await balanceOf(devnet, payee!.address)).toBe(before + price)
  }, 60_000)
})
