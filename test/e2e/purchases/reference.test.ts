import type { Asset } from '@tollgate/evm'
import { createMemoryReceiptLog, getReceipt, wrapFetch } from '@tollgate/fetch'
import { listen, useDevnet } from '@tollgate/test'
import { x402Facilitator } from '@x402/core/facilitator'
import type { SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactEvmFacilitatorScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactEvmServerScheme } from '@x402/evm/exact/server'
import { paymentMiddleware, x402ResourceServer } from '@x402/express'
import express from 'express'
import { publicActions } from 'viem'
import { expect, test } from 'vitest'
import { authorizationsUsed, balanceOf, countingAccount } from './fixtures.js'

// The reference stack answers `settlement_pending`: `@x402/express` with the reference facilitator
// whose receipt wait times out (300 ms) while the devnet does not mine. Our fetch records the
// purchase indeterminate, never signs again, and reconciles it on-chain once the block is mined.

const devnet = useDevnet({ accounts: 3 })

test('@x402/express answering settlement_pending: one payment, indeterminate then settled', async () => {
  const [payer, payee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const client = devnet.walletClient(operator.account).extend(publicActions)
  const signer = toFacilitatorEvmSigner(
    {
      address: operator.address,
      readContract: (args) => client.readContract(args as never),
      verifyTypedData: (args) => client.verifyTypedData(args as never),
      writeContract: (args) => client.writeContract(args as never),
      sendTransaction: (args) => client.sendTransaction(args as never),
      waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
      getCode: (args) => client.getCode(args),
    },
    // The knob: a receipt wait bounded below the block time makes settle answer pending.
    { confirmationTimeoutMs: 300 },
  )
  const facilitator = new x402Facilitator().register(
    devnet.network,
    new ExactEvmFacilitatorScheme(signer),
  )
  const settleAnswers: string[] = []
  const server = new x402ResourceServer({
    verify: (payload, requirements) => facilitator.verify(payload, requirements),
    settle: async (payload, requirements) => {
      const result = await facilitator.settle(payload, requirements)
      settleAnswers.push(result.success ? 'success' : (result.errorReason ?? 'failure'))
      return result
    },
    getSupported: async () => facilitator.getSupported() as SupportedResponse,
  }).register(devnet.network, new ExactEvmServerScheme())
  const app = express()
  app.use(
    paymentMiddleware(
      {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: payee.address,
            price: {
              amount: '10000',
              asset: devnet.usdc.address,
              extra: { name: devnet.usdc.name, version: devnet.usdc.version },
            },
          },
          description: 'Weather',
        },
      },
      server,
    ),
  )
  app.get('/weather', (_req, res) => {
    res.json({ weather: 'sunny' })
  })
  const listening = await listen(app)
  const usdc: Asset = devnet.usdc

  try {
    const { account, signatures } = countingAccount(payer.account)
    const log = createMemoryReceiptLog()
    const pay = wrapFetch({
      account,
      assets: [usdc],
      receipts: log,
      reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    })
    const url = `${listening.url}/weather`
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n
    const before = await balanceOf(devnet, payee.address)

    await devnet.testClient.setAutomine(false)
    let pending: Response
    try {
      pending = (await pay(url, { purchase: { id: 'weather-lisbon-0001' } })) as Response
      await pending.body?.cancel()
    } finally {
      await devnet.testClient.mine({ blocks: 1 })
      await devnet.testClient.setAutomine(true)
    }
    // The reference facilitator answered pending, and the server's one retry too.
    expect(settleAnswers).toEqual(['settlement_pending', 'settlement_pending'])
    expect(getReceipt(pending)).toMatchObject({ status: 'indeterminate', disputed: undefined })
    expect(getReceipt(pending)?.settlement?.errorReason).toBe('settlement_pending')

    // Retried: reconciled on-chain (the broadcast transaction landed), the same authorization
    // re-sent, nothing signed again.
    for (let i = 0; i < 3; i++) {
      const response = await pay(url, { purchase: { id: 'weather-lisbon-0001' } })
      await response.body?.cancel()
    }
    expect(signatures()).toBe(1)
    expect(await authorizationsUsed(devnet, { payer: payer.address, fromBlock })).toHaveLength(1)
    expect((await balanceOf(devnet, payee.address)) - before).toBe(10_000n)
    const records = await log.list()
    expect(new Set(records.map((r) => r.id)).size).toBe(1)
    expect(records.map((r) => r.status).slice(0, 3)).toEqual([
      'indeterminate',
      'indeterminate',
      'settled',
    ])
    expect(records[2]?.reconciled).toMatchObject({ by: 'chain', finding: 'spent' })
    expect(await pay.purchases.get('weather-lisbon-0001')).toMatchObject({ status: 'settled' })
  } finally {
    await listening.close()
  }
}, 60_000)
