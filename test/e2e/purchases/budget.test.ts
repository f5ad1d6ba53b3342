import {
  BudgetExceededError,
  createMemoryReceiptLog,
  createPolicy,
  wrapFetch,
} from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { expect, test } from 'vitest'
import { authorizationsUsed, balanceOf, countingAccount, openShop } from './fixtures.js'

// Budgets hold while outcomes are unknown: an indeterminate purchase keeps its reservation across
// retries and restarts, so 100 concurrent purchases whose answers time out never spend past the
// budget, and none is paid twice.

const devnet = useDevnet({ accounts: 4 })

// Each test settles from its own operator: a hanging settle of one never races the other's nonces.
function cast(operatorIndex: 2 | 3) {
  const accounts = devnet.accounts
  return { payer: accounts[0]!, payee: accounts[1]!, operator: accounts[operatorIndex]! }
}

test('100 concurrent purchases with timeouts, retried: within the budget, each paid once', async () => {
  const { payer, payee, operator } = cast(2)
  // Every paid answer is held back 1.5 s after settling; the agent gives up after 0.5 s.
  const shop = await openShop(
    devnet,
    { payee: payee.address, operator: operator.account },
    { fault: 'settlement timeout', times: 1_000, hangMs: 2_500 },
  )
  try {
    const { account, signatures } = countingAccount(payer.account)
    const log = createMemoryReceiptLog()
    const policy = createPolicy({ budgets: [{ limit: '$0.30' }] })
    const pay = wrapFetch({
      account,
      policy,
      assets: [shop.usdc],
      receipts: log,
      reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    })
    const url = `${shop.url}/report`
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const before = await balanceOf(devnet, payee.address)
    const ids = Array.from({ length: 100 }, (_, i) => `concurrent-purchase-${i}`)

    const round = (signal?: () => AbortSignal) =>
      Promise.allSettled(
        ids.map(async (id) => {
          const response = await pay(url, {
            purchase: { id },
            ...(signal ? { signal: signal() } : {}),
          })
          await response.body?.cancel()
          return response.status
        }),
      )
    const rounds = [await round(() => AbortSignal.timeout(1_500))]
    // The timeouts happened: purchases whose payment left are indeterminate and keep their money.
    expect(
      rounds[0]!.filter((r) => r.status === 'rejected' && r.reason.name === 'TimeoutError').length,
    ).toBeGreaterThan(0)
    expect(
      (await log.list()).some((r) => r.status === 'indeterminate' && r.disputed === 'no-response'),
    ).toBe(true)
    const usage = policy.usage()[0]!
    expect(usage.committed + usage.reserved).toBeLessThanOrEqual(3n * 10n ** 17n)

    // Retried twice: the signed purchases re-send their authorization; the others do not fit.
    rounds.push(await round(), await round())
    const last = rounds[2]!
    expect(last.filter((r) => r.status === 'fulfilled' && r.value === 200)).toHaveLength(30)
    expect(
      last.filter((r) => r.status === 'rejected' && r.reason instanceof BudgetExceededError),
    ).toHaveLength(70)

    const used = await authorizationsUsed(devnet, { payer: payer.address, fromBlock })
    expect(signatures()).toBe(30)
    expect(used).toHaveLength(30)
    expect(new Set(used.map((e) => e.args.nonce)).size).toBe(30)
    expect((await balanceOf(devnet, payee.address)) - before).toBe(300_000n)
    expect(policy.usage()[0]).toMatchObject({ committed: 3n * 10n ** 17n, reserved: 0n })

    // One authorization per purchase in the log, whatever the number of tries.
    const records = await log.list()
    const perPurchase = new Map<string, Set<string>>()
    for (const r of records)
      perPurchase.set(r.purchase!, (perPurchase.get(r.purchase!) ?? new Set()).add(r.id))
    expect(perPurchase.size).toBe(signatures())
    for (const authorizations of perPurchase.values()) expect(authorizations.size).toBe(1)
    const purchases = await pay.purchases.list()
    expect(purchases.filter((r) => r.status === 'settled')).toHaveLength(30)
  } finally {
    await shop.close()
  }
}, 120_000)

test('a restarted agent holds the money of its indeterminate purchases again', async () => {
  const { payer, payee, operator } = cast(3)
  const shop = await openShop(devnet, { payee: payee.address, operator: operator.account })
  shop.setBroken(true)
  try {
    const log = createMemoryReceiptLog()
    const url = `${shop.url}/report`
    const budgets = [{ limit: '$0.02' }]
    const before = wrapFetch({
      account: payer.account,
      policy: createPolicy({ budgets }),
      assets: [shop.usdc],
      receipts: log,
    })
    expect((await before(url, { purchase: { id: 'held-over-restart' } })).status).toBe(500)

    // The restart: a new policy and fetch on the same log.
    const policy = createPolicy({ budgets })
    const after = wrapFetch({ account: payer.account, policy, assets: [shop.usdc], receipts: log })
    shop.setBroken(false)
    expect((await after(url)).status).toBe(200)
    // 0.01 held for the indeterminate purchase, 0.01 spent: nothing more fits.
    expect(policy.usage()[0]).toMatchObject({ committed: 10n ** 16n, reserved: 10n ** 16n })
    await expect(after(url)).rejects.toBeInstanceOf(BudgetExceededError)
  } finally {
    await shop.close()
  }
})
