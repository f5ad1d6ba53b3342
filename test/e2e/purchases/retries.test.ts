import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Receipt } from '@tollgate/fetch'
import { createPolicy, getReceipt, listPurchases, wrapFetch } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { useDevnet } from '@tollgate/test'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  authorizationsUsed,
  balanceOf,
  countingAccount,
  faults,
  openShop,
  transfers,
} from './fixtures.js'

// One purchase, retried five times through each failure between the agent and the chain, is paid
// on-chain exactly once: every retry re-sends the same signed authorization, and the purchase ends
// settled in the receipt log, reconciled on-chain where its first answer said nothing.

const devnet = useDevnet({ accounts: 3 })

function extensionsOf(receipt: Receipt | undefined): Record<string, unknown> | undefined {
  return (receipt?.signed as { extensions?: Record<string, unknown> } | undefined)?.extensions
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-purchases-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.each(faults)('%s', (fault) => {
  test('five retries of one purchase pay once on-chain; the log shows it settled', async () => {
    const [payer, payee, operator] = devnet.accounts as [
      (typeof devnet.accounts)[number],
      (typeof devnet.accounts)[number],
      (typeof devnet.accounts)[number],
    ]
    const shop = await openShop(
      devnet,
      { payee: payee.address, operator: operator.account },
      {
        fault,
      },
    )
    try {
      const { account, signatures } = countingAccount(payer.account)
      const path = join(dir, 'receipts.jsonl')
      const policy = createPolicy({ budgets: [{ limit: '$1' }] })
      const pay = wrapFetch({
        account,
        policy,
        assets: [shop.usdc],
        receipts: createFileReceiptLog(path),
        reconcile: { chains: { [devnet.network]: devnet.publicClient } },
      })
      const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
      const payeeBefore = await balanceOf(devnet, payee.address)
      const payerBefore = await balanceOf(devnet, payer.address)

      const outcomes: (number | string)[] = []
      let delivered: unknown
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          const response = await pay(`${shop.url}/report`, {
            purchase: { id: `report-${fault}` },
            // The agent gives up waiting on the first tries, as a timeout does.
            ...(fault === 'settlement timeout' && attempt < 3
              ? { signal: AbortSignal.timeout(800) }
              : {}),
          })
          outcomes.push(response.status)
          if (response.status === 200) delivered = await response.json()
          else await response.body?.cancel()
        } catch (error) {
          outcomes.push((error as Error).name)
        }
      }

      // Exactly one transfer, of the price, whatever the wire did.
      expect(signatures()).toBe(1)
      expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
      expect(
        await transfers(devnet, { from: payer.address, to: payee.address, fromBlock }),
      ).toHaveLength(1)
      expect((await balanceOf(devnet, payee.address)) - payeeBefore).toBe(10_000n)
      expect(payerBefore - (await balanceOf(devnet, payer.address))).toBe(10_000n)
      // The failures were seen, and the last tries got the content (stored or held by the server).
      expect(outcomes.at(-1)).toBe(200)
      expect(delivered).toEqual({ report: 'paid content' })

      // The log: one purchase, settled and committed; it went through `indeterminate` first.
      const records = await createFileReceiptLog(path).list()
      expect(new Set(records.map((r) => r.id)).size).toBe(1)
      expect(records[0]?.status).toBe('indeterminate')
      const purchases = await listPurchases(createFileReceiptLog(path))
      expect(purchases).toHaveLength(1)
      expect(purchases[0]).toMatchObject({
        purchase: `report-${fault}`,
        status: 'settled',
        responseStatus: 200,
      })
      expect(purchases[0]?.disputed).toBeUndefined()
      expect(records.some((r) => r.reconciled?.finding === 'spent')).toBe(true)
      expect(policy.usage()[0]).toMatchObject({ committed: 10n ** 16n, reserved: 0n })
    } finally {
      await shop.close()
    }
  })
})

test('the payment-identifier the server declared carries the purchase id', async () => {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const shop = await openShop(devnet, { payee: payee.address, operator: operator.account })
  try {
    const pay = wrapFetch({ account: payer.account, assets: [shop.usdc] })
    const named = await pay(`${shop.url}/report`, {
      headers: { 'Idempotency-Key': 'nightly-report-2026-11-25' },
    })
    expect(getReceipt(named)).toMatchObject({
      status: 'settled',
      purchase: 'nightly-report-2026-11-25',
      paymentId: 'nightly-report-2026-11-25',
    })
    expect(extensionsOf(getReceipt(named))?.['payment-identifier']).toMatchObject({
      info: { id: 'nightly-report-2026-11-25' },
    })
    // A key the extension's schema refuses is hashed into one it accepts, the same every time.
    const hashed = await pay(`${shop.url}/report`, { purchase: { id: 'a key with spaces' } })
    expect(getReceipt(hashed)?.paymentId).toMatch(/^tg_[0-9a-f]{64}$/)
    // A call that is not a purchase sends none.
    const unnamed = await pay(`${shop.url}/report`)
    expect(extensionsOf(getReceipt(unnamed))?.['payment-identifier']).toMatchObject({
      info: { required: false },
    })
    expect(getReceipt(unnamed)?.paymentId).toBeUndefined()
  } finally {
    await shop.close()
  }
})
