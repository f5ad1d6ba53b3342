// `kill -9` of a facilitator process in the middle of settling 200 payments, then a restart on the
// same SQLite file: every payment is settled exactly once (balances, authorization states, and no
// authorization ever sent in a second transaction).
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PaymentPayload } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import type { Address, Hex } from 'viem'
import { afterAll, expect, test } from 'vitest'
import { createSqliteLedger } from '../src/ledger/createSqliteLedger.js'
import {
  balanceOf,
  deployBatchSettler,
  devnetAssets,
  failedItems,
  isAuthorizationUsed,
  pay,
  randomAddress,
  requirementsFor,
  until,
} from './fixtures.js'

// One-second blocks: when the process dies, transactions are in the mempool, rows are queued,
// submitted and confirmed all at once.
const devnet = useDevnet({ accounts: 6, blockTime: 1 })
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const script = fileURLToPath(new URL('./facilitatorProcess.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'tollgate-crash-'))
const children: ChildProcess[] = []

afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function startProcess(
  config: Record<string, unknown>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = ''
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
      const match = /READY (\S+)/.exec(stdout)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`facilitator exited (${code}): ${stderr}`)))
  })
  return { url, child }
}

async function settle(
  url: string,
  payload: PaymentPayload,
  requirements: unknown,
  settlement: string,
) {
  const response = await fetch(`${url}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      x402Version: 2,
      paymentPayload: payload,
      paymentRequirements: requirements,
      settlement,
    }),
  })
  return (await response.json()) as { success: boolean; errorReason?: string; transaction: string }
}

/** Runs `tasks` with at most `limit` at once; stops starting new ones once `stop()` is true. */
async function pool<result>(
  tasks: (() => Promise<result>)[],
  limit: number,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length && !stop()) {
        const task = tasks[next++]!
        await task().catch(() => undefined)
      }
    }),
  )
}

test('kill -9 while settling 200 payments, restart: each is settled exactly once', async () => {
  const batchSettler = await deployBatchSettler(devnet)
  const startBlock = await devnet.publicClient.getBlockNumber()
  const signer = devnet.accounts[5]!
  const config = {
    parentPid: process.pid,
    dbPath: join(dir, 'facilitator.db'),
    chainId: devnet.chainId,
    rpcUrl: devnet.rpcUrl,
    assets: devnetAssets(devnet),
    batchSettler,
    privateKey: signer.privateKey,
  }
  const payTo = randomAddress()
  const payers = [0, 1, 2, 3, 4].map((i) => devnet.accounts[i]!)
  const before = await Promise.all(payers.map((p) => balanceOf(devnet, p.address)))
  const payments = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const requirements = requirementsFor(devnet, { payTo, amount: 1_000n + BigInt(i) })
      const payer = payers[i % payers.length]!
      return { payer, requirements, payload: await pay(payer.account, requirements) }
    }),
  )
  const total = payments.reduce((sum, p) => sum + BigInt(p.requirements.amount), 0n)

  // First life: answers as soon as payments are queued; killed once half are answered.
  const first = await startProcess({ ...config, mode: 'queued' })
  let answered = 0
  let killed = false
  await pool(
    payments.map((p) => async () => {
      const answer = await settle(first.url, p.payload, p.requirements, 'queued')
      if (answer.success) answered++
      if (answered >= 100 && !killed) {
        killed = true
        first.child.kill('SIGKILL')
      }
    }),
    16,
    () => killed,
  )
  expect(killed).toBe(true)
  if (first.child.exitCode === null && first.child.signalCode === null)
    await new Promise((resolve) => first.child.once('exit', resolve))
  expect(await balanceOf(devnet, payTo)).toBeLessThan(total)
  // The process died with work in every stage.
  const dead = await createSqliteLedger(config.dbPath)
  const atDeath = await dead.counts()
  await dead.close()
  expect(atDeath.queued + atDeath.submitted).toBeGreaterThan(0)

  // Second life on the same file: recovers, and every payment is sent again by its client.
  const second = await startProcess({ ...config, mode: 'submitted' })
  const answers = new Map<number, { success: boolean; errorReason?: string }>()
  await pool(
    payments.map((p, i) => async () => {
      answers.set(i, await settle(second.url, p.payload, p.requirements, 'submitted'))
    }),
    25,
  )
  for (const answer of answers.values())
    if (!answer.success) expect(answer.errorReason).toBe('settlement_pending')

  const ledger = await createSqliteLedger(config.dbPath)
  try {
    await until(async () => (await ledger.counts()).confirmed === 200, {
      timeoutMs: 60_000,
      message: '200 confirmed rows',
    })
    expect(await ledger.counts()).toMatchObject({
      confirmed: 200,
      queued: 0,
      submitted: 0,
      failed: 0,
    })
    expect(await balanceOf(devnet, payTo)).toBe(total)
    for (const [index, payer] of payers.entries()) {
      const paid = payments
        .filter((p) => p.payer === payer)
        .reduce((sum, p) => sum + BigInt(p.requirements.amount), 0n)
      expect(await balanceOf(devnet, payer.address)).toBe(before[index]! - paid)
    }
    for (const p of payments)
      expect(
        await isAuthorizationUsed(
          devnet,
          p.payer.address,
          (p.payload.payload.authorization as { nonce: Hex }).nonce,
        ),
      ).toBe(true)
    // Every row's transaction carried its transfer; no authorization rode a second transaction.
    const rows = await ledger.list({ chainId: devnet.chainId, states: ['confirmed'], limit: 500 })
    const hashes = new Set(rows.map((r) => r.txHash!))
    const used = new Set<string>()
    for (const hash of hashes) {
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
      for (const log of receipt.logs)
        if (log.topics[2]) used.add(`${log.transactionHash}:${log.topics[2]}`)
    }
    for (const row of rows) expect(used.has(`${row.txHash}:${row.nonce}`)).toBe(true)
    expect(await failedItems(devnet, batchSettler as Address, startBlock)).toEqual([])
  } finally {
    await ledger.close()
    second.child.kill('SIGKILL')
  }
}, 150_000)
