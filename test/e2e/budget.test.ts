import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import type { Receipt } from '@tollgate/fetch'
import {
  BudgetExceededError,
  createMemoryReceiptLog,
  createPolicy,
  getReceipt,
  wrapFetch,
} from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { erc20Abi } from 'viem'
import { toAccount } from 'viem/accounts'
import { expect, test } from 'vitest'

// The budget must hold under concurrency: the check and the reservation happen in one
// synchronous step, so 100 calls racing for a budget that covers 10 pay for exactly 10.

const devnet = useDevnet({ accounts: 3 })

test('100 concurrent calls against a budget that covers 10 pay for exactly 10', async () => {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const usdc: Asset = devnet.usdc
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(operator.account),
    assets: [usdc],
  })
  const app = express()
  app.use(
    createPaywall(facilitator, {
      assets: [usdc],
      routes: {
        'GET /report': { price: '$0.01', payTo: payee.address, network: devnet.network },
      },
    }),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  const server = await listen(app)

  const balance = () =>
    devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [payee.address],
    })

  try {
    let signatures = 0
    const account = toAccount({
      address: payer.address,
      signMessage: (parameters) => payer.account.signMessage(parameters),
      signTransaction: (transaction) => payer.account.signTransaction(transaction),
      signTypedData: (typedData) => {
        signatures++
        return payer.account.signTypedData(
          typedData as Parameters<typeof payer.account.signTypedData>[0],
        )
      },
    })
    const policy = createPolicy({ budgets: [{ limit: '$0.10', windowMs: 3_600_000 }] })
    const log = createMemoryReceiptLog()
    const pay = wrapFetch({ account, policy, assets: [usdc], receipts: log })

    const before = await balance()
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, async () => {
        const response = await pay(`${server.url}/report`)
        return { status: response.status, body: await response.json() }
      }),
    )
    const after = await balance()

    const paid = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected')
    expect(paid).toHaveLength(10)
    for (const r of paid) expect(r.value).toEqual({ status: 200, body: { report: 'paid content' } })
    expect(refused).toHaveLength(90)
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(BudgetExceededError)
      expect(r.reason).toMatchObject({
        guard: 'budget',
        scope: 'total',
        limit: 100_000n,
        requested: 10_000n,
      })
    }
    // The 90 refused calls signed nothing; the payee got exactly ten payments.
    expect(signatures).toBe(10)
    expect(after - before).toBe(10n * 10_000n)

    const receipts: Receipt[] = await log.list()
    expect(receipts).toHaveLength(10)
    expect(receipts.every((r) => r.status === 'settled')).toBe(true)
    expect(new Set(receipts.map((r) => r.transaction)).size).toBe(10)
    for (const receipt of receipts) {
      const onChain = await devnet.publicClient.getTransactionReceipt({
        hash: receipt.transaction as `0x${string}`,
      })
      expect(onChain.status).toBe('success')
    }
    expect(policy.usage()).toEqual([
      expect.objectContaining({ committed: 10n ** 17n, reserved: 0n }),
    ])
  } finally {
    await server.close()
  }
})

test('a restarted agent with a receipt log refuses a call the settled payments of the window used up', async () => {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const usdc: Asset = devnet.usdc
  const app = express()
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(operator.account),
        assets: [usdc],
      }),
      {
        assets: [usdc],
        routes: {
          'GET /report': { price: '$0.01', payTo: payee.address, network: devnet.network },
        },
      },
    ),
  )
  app.get('/report', (_req, res) => {
    res.json({ report: 'paid content' })
  })
  const server = await listen(app)
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-budget-restart-'))
  const path = join(dir, 'receipts.jsonl')
  const balance = () =>
    devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [payee.address],
    })
  /** An agent as a process starts it: a new policy, a new fetch, the receipt log on disk. */
  const startAgent = () => {
    const policy = createPolicy({
      budgets: [{ limit: '$0.02', scope: 'host', windowMs: 3_600_000 }],
    })
    const pay = wrapFetch({
      account: payer.account,
      policy,
      assets: [usdc],
      receipts: createFileReceiptLog(path),
      reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    })
    return { policy, pay }
  }
  try {
    const before = await balance()
    const first = startAgent()
    for (let call = 0; call < 2; call++) {
      const response = await first.pay(`${server.url}/report`)
      expect(response.status).toBe(200)
      expect(getReceipt(response)?.status).toBe('settled')
    }
    expect((await balance()) - before).toBe(20_000n)

    // The restart: nothing in memory survives but the log, and the budget is still spent.
    const restarted = startAgent()
    const error = await restarted.pay(`${server.url}/report`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error).toMatchObject({
      scope: 'host',
      host: new URL(server.url).host,
      limit: 20_000n,
      spent: 20_000n,
      requested: 10_000n,
    })
    expect((await balance()) - before).toBe(20_000n)
    expect(restarted.policy.usage()).toEqual([
      expect.objectContaining({ key: new URL(server.url).host, used: '0.02', reserved: 0n }),
    ])
  } finally {
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
})
