import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import type { Receipt } from '@tollgate/fetch'
import {
  BudgetExceededError,
  createMemoryReceiptLog,
  createPolicy,
  wrapFetch,
} from '@tollgate/fetch'
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
