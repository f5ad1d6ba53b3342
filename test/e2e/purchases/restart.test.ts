import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listPurchases } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { useDevnet } from '@tollgate/test'
import { expect, test } from 'vitest'
import { authorizationsUsed, balanceOf, openShop } from './fixtures.js'

// The agent is killed (SIGKILL) after its payment settled and before the answer reached it, then
// started again on the same receipt log: the retry re-sends the authorization written ahead in the
// log, the server replays the stored answer, and the chain shows one payment.

const devnet = useDevnet({ accounts: 3 })
const root = fileURLToPath(new URL('../../..', import.meta.url))
const script = fileURLToPath(new URL('./agent.ts', import.meta.url))

function startAgent(args: string[], key: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, AGENT_KEY: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return { child, exited, output: () => ({ stdout, stderr }) }
}

function kill(child: ChildProcess) {
  if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
}

test('killed between the payment and the answer, restarted on the same log: one payment', async () => {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const shop = await openShop(
    devnet,
    { payee: payee.address, operator: operator.account },
    { fault: 'held', times: 1 },
  )
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-restart-'))
  try {
    const path = join(dir, 'receipts.jsonl')
    const args = [
      `${shop.url}/report`,
      path,
      'weekly-report-2026-w48',
      devnet.rpcUrl,
      devnet.network,
      devnet.usdc.address,
      devnet.usdc.name,
      devnet.usdc.version,
    ]
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const before = await balanceOf(devnet, payee.address)

    const first = startAgent(args, payer.privateKey)
    // The paywall settled and answered; the proxy keeps the answer from the agent. Kill it.
    await Promise.race([
      shop.held(),
      first.exited.then(() => {
        throw new Error(`the agent exited early: ${first.output().stderr}`)
      }),
    ])
    kill(first.child)
    expect((await first.exited).signal).toBe('SIGKILL')
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
    // What the killed agent left: the authorization, written ahead, outcome unknown.
    const left = await listPurchases(createFileReceiptLog(path))
    expect(left.map((r) => [r.purchase, r.status, r.responseStatus])).toEqual([
      ['weekly-report-2026-w48', 'indeterminate', undefined],
    ])

    const second = startAgent(args, payer.privateKey)
    const { code } = await second.exited
    expect(code, second.output().stderr).toBe(0)
    const result = JSON.parse(second.output().stdout.trim())
    // The restarted agent signed nothing: it re-sent the logged authorization and got the content.
    expect(result).toEqual({
      status: 200,
      body: JSON.stringify({ report: 'paid content' }),
      signatures: 0,
      receipt: 'settled',
    })
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
    expect((await balanceOf(devnet, payee.address)) - before).toBe(10_000n)
    expect(shop.served()).toBe(1)

    // #region read-log
    const log = createFileReceiptLog(path)
    // Every purchase in its current state: the latest record of each.
    const purchases = await listPurchases(log)
    const open = purchases.filter((receipt) => receipt.status === 'indeterminate')
    // The history of one purchase, oldest first.
    const history = (await log.list()).filter(
      (receipt) => receipt.purchase === 'weekly-report-2026-w48',
    )
    // #endregion read-log
    expect(open).toEqual([])
    expect(purchases.map((r) => [r.purchase, r.status, r.responseStatus])).toEqual([
      ['weekly-report-2026-w48', 'settled', 200],
    ])
    expect(new Set(history.map((r) => r.id)).size).toBe(1)
    expect(history.map((r) => [r.status, r.responseStatus, r.reconciled?.finding])).toEqual([
      ['indeterminate', undefined, undefined],
      ['settled', undefined, 'spent'],
      ['settled', 200, 'spent'],
    ])
  } finally {
    await rm(dir, { recursive: true, force: true })
    await shop.close()
  }
}, 60_000)
