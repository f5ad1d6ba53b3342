import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'
import { createMemoryReceiptLog, wrapFetch } from '@tollgate/fetch'
import { useDevnet } from '@tollgate/test'
import { expect, test } from 'vitest'
import { devnetAssets } from '../../../packages/facilitator/test/fixtures.js'
import { authorizationsUsed, countingAccount, openShop } from './fixtures.js'

// Reconciliation through the facilitator's status endpoint alone (no chain configured for the
// agent): the paid answer is lost after settlement, and the retry learns from
// `GET /settlements/<chainId>/<asset>/<payer>/<nonce>` that the authorization was settled, with its
// transaction, then re-sends it and gets the stored answer.

const devnet = useDevnet({ accounts: 4 })

test('a lost answer is reconciled by the facilitator status endpoint', async () => {
  const [payer, payee, , operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const ledger = await createSqliteLedger(':memory:')
  const facilitator = createFacilitator({
    ledger,
    chains: [
      {
        chainId: devnet.chainId,
        rpcUrls: [devnet.rpcUrl],
        assets: devnetAssets(devnet),
        pollingIntervalMs: 100,
      },
    ],
    signers: [operator.account],
    mode: 'confirmed',
  })
  await facilitator.start()
  const service = await serveFacilitator(facilitator, { port: 0 })
  const shop = await openShop(
    devnet,
    { payee: payee.address, operator: operator.account },
    {
      fault: 'connection dropped',
      times: 1,
      facilitator: createHttpFacilitatorClient({ url: service.url }),
    },
  )
  try {
    const { account, signatures } = countingAccount(payer.account)
    const log = createMemoryReceiptLog()
    const pay = wrapFetch({
      account,
      assets: devnetAssets(devnet),
      receipts: log,
      reconcile: { facilitatorUrl: service.url },
    })
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const url = `${shop.url}/report`

    await expect(pay(url, { purchase: { id: 'status-endpoint-0001' } })).rejects.toThrow()
    expect(await pay.purchases.get('status-endpoint-0001')).toMatchObject({
      status: 'indeterminate',
      disputed: 'no-response',
    })
    const [reconciled] = await pay.purchases.reconcile('status-endpoint-0001')
    expect(reconciled).toMatchObject({
      status: 'settled',
      disputed: 'not-delivered',
      reconciled: { by: 'facilitator', finding: 'spent' },
    })
    const used = await authorizationsUsed(devnet, { payer: payer.address, fromBlock })
    expect(used).toHaveLength(1)
    expect(reconciled?.transaction).toBe(used[0]?.transactionHash)

    const response = await pay(url, { purchase: { id: 'status-endpoint-0001' } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ report: 'paid content' })
    expect(signatures()).toBe(1)
    expect(await pay.purchases.get('status-endpoint-0001')).toMatchObject({
      status: 'settled',
      responseStatus: 200,
    })
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
  } finally {
    await shop.close()
    await service.close()
    await facilitator.close()
    await ledger.close()
  }
}, 60_000)
