import { eip3009Abi } from '@tollgate/evm'
import type { Receipt } from '@tollgate/fetch'
import {
  createMemoryReceiptLog,
  createPolicy,
  getReceipt,
  PurchaseIndeterminateError,
  wrapFetch,
} from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import type { Hex } from 'viem'
import { expect, test } from 'vitest'
import { authorizationsUsed, balanceOf, countingAccount, openShop } from './fixtures.js'

// A purchase gets a second authorization only when the first can no longer be spent: cancelled
// on-chain, or proven unspent once expired. Until then every retry re-sends the first one, and
// without a chain to prove anything an expired, indeterminate purchase is not paid again.

const devnet = useDevnet({ accounts: 3 })

function cast() {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  return { payer, payee, operator }
}

function nonceOf(receipt: Receipt | undefined): Hex | undefined {
  return (receipt?.signed.payload as { authorization?: { nonce: Hex } } | undefined)?.authorization
    ?.nonce
}

test('cancelled on-chain: the retry signs anew and the purchase is paid once', async () => {
  const { payer, payee, operator } = cast()
  const shop = await openShop(devnet, { payee: payee.address, operator: operator.account })
  shop.setBroken(true)
  try {
    const { account, signatures } = countingAccount(payer.account)
    const log = createMemoryReceiptLog()
    const policy = createPolicy({ budgets: [{ limit: '$1' }] })
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

    const failed = await pay(url, { purchase: { id: 'cancel-me-0001' } })
    expect(failed.status).toBe(500)
    const first = getReceipt(failed)
    expect(first).toMatchObject({ status: 'indeterminate', disputed: 'settlement-missing' })
    expect(policy.usage()[0]).toMatchObject({ reserved: 10n ** 16n })

    // Still valid and unspent: a retry re-sends it (the server sees the same nonce again).
    const again = await pay(url, { purchase: { id: 'cancel-me-0001' } })
    expect(again.status).toBe(500)
    expect(nonceOf(getReceipt(again))).toBe(nonceOf(first))
    expect(signatures()).toBe(1)

    const cancelled = await pay.purchases.cancel('cancel-me-0001', {
      walletClient: devnet.walletClient(payer.account),
    })
    expect(cancelled).toMatchObject({
      status: 'refused',
      reconciled: { by: 'cancellation', finding: 'cancelled' },
    })
    const events = await devnet.publicClient.getContractEvents({
      address: devnet.usdc.address,
      abi: [
        ...eip3009Abi,
        {
          type: 'event',
          name: 'AuthorizationCanceled',
          inputs: [
            { name: 'authorizer', type: 'address', indexed: true },
            { name: 'nonce', type: 'bytes32', indexed: true },
          ],
        },
      ] as const,
      eventName: 'AuthorizationCanceled',
      args: { authorizer: payer.address },
      fromBlock,
    })
    expect(events.map((e) => e.args.nonce)).toEqual([nonceOf(first)])
    expect(policy.usage()[0]).toMatchObject({ reserved: 0n, committed: 0n })

    shop.setBroken(false)
    const paid = await pay(url, { purchase: { id: 'cancel-me-0001' } })
    expect(paid.status).toBe(200)
    const second = getReceipt(paid)
    expect(second).toMatchObject({
      status: 'settled',
      purchase: 'cancel-me-0001',
      resigned: 'cancelled',
    })
    expect(nonceOf(second)).not.toBe(nonceOf(first))
    expect(signatures()).toBe(2)
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
    expect((await balanceOf(devnet, payee.address)) - before).toBe(10_000n)
    expect(await pay.purchases.get('cancel-me-0001')).toMatchObject({
      status: 'settled',
      resigned: 'cancelled',
    })
  } finally {
    await shop.close()
  }
})

test('expired and proven unspent: the retry signs anew; without a chain it refuses to pay', async () => {
  const { payer, payee, operator } = cast()
  const shop = await openShop(devnet, { payee: payee.address, operator: operator.account })
  shop.setBroken(true)
  try {
    const { account, signatures } = countingAccount(payer.account)
    const url = `${shop.url}/report`
    const log = createMemoryReceiptLog()
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    // A first agent signs short-lived authorizations (7 s) that the broken server never settles.
    const shortLived = wrapFetch({
      account,
      policy: createPolicy({ maxAuthorizationSeconds: 7 }),
      assets: [shop.usdc],
      receipts: log,
    })
    const first = getReceipt(await shortLived(url, { purchase: { id: 'expire-me-0001' } }))
    const other = getReceipt(await shortLived(url, { purchase: { id: 'expire-me-0002' } }))
    expect([first?.status, other?.status]).toEqual(['indeterminate', 'indeterminate'])
    expect(signatures()).toBe(2)

    // A minute passes, on the chain (anvil's clock) and for the agents started later (their
    // policy's clock), instead of the test sleeping through it.
    const minuteLater = () => Date.now() + 60_000
    await devnet.testClient.increaseTime({ seconds: 60 })
    await devnet.testClient.mine({ blocks: 1 })
    shop.setBroken(false)

    // Agents started later on the same log. Without a chain nothing proves the expired
    // authorization unspent: it may have been spent, so the purchase is not paid again.
    const blind = wrapFetch({
      account,
      assets: [shop.usdc],
      receipts: log,
      policy: { now: minuteLater },
    })
    const error = await blind(url, { purchase: { id: 'expire-me-0002' } }).catch((e) => e)
    expect(error).toBeInstanceOf(PurchaseIndeterminateError)
    expect(error).toMatchObject({ code: 'TOLLGATE_FETCH_PURCHASE_INDETERMINATE' })
    expect(signatures()).toBe(2)

    const withChain = wrapFetch({
      account,
      assets: [shop.usdc],
      receipts: log,
      policy: { now: minuteLater },
      reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    })
    const paid = await withChain(url, { purchase: { id: 'expire-me-0001' } })
    expect(paid.status).toBe(200)
    expect(getReceipt(paid)).toMatchObject({ status: 'settled', resigned: 'expired-unspent' })
    expect(nonceOf(getReceipt(paid))).not.toBe(nonceOf(first))
    expect(signatures()).toBe(3)
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
    // The log: the expired authorization proven unspent (refused), then the new one settled.
    const records = (await log.list()).filter((r) => r.purchase === 'expire-me-0001')
    expect(records.map((r) => [r.id === first?.id, r.status, r.reconciled?.finding])).toEqual([
      [true, 'indeterminate', undefined],
      [true, 'indeterminate', undefined],
      [true, 'refused', 'unspent-expired'],
      [false, 'indeterminate', undefined],
      [false, 'settled', undefined],
    ])
  } finally {
    await shop.close()
  }
})
