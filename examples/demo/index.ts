/**
 * The README's demo, end to end on a local chain:
 * a seller runs an Express API whose `/forecast` route costs $0.01 (test USDC), and a buyer agent
 * with a $0.05 budget for that host calls it six times. Five calls are paid and settled on-chain;
 * the sixth is refused by the agent's budget before anything is signed.
 */
import type { AddressInfo } from 'node:net'
import { testUsdcAbi } from '@tollgate/contracts'
import { type DevnetAccount, startDevnet } from '@tollgate/contracts/devnet'
import { formatMoney } from '@tollgate/core'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { getReceipt, PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import express from 'express'
import type { Address } from 'viem'

const calls = 6
const step = (text: string) => console.log(`• ${text}`)
const usd = (amount: bigint) =>
  `${amount < 0n ? '-' : ''}$${formatMoney(amount < 0n ? -amount : amount, { decimals: 6 })}`

/** Prints rows as an aligned plain-text table (console.table quotes every string). */
function printTable(rows: readonly Record<string, string>[]) {
  const columns = Object.keys(rows[0] ?? {})
  const width = (column: string) =>
    Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length))
  const line = (cells: Record<string, string>) =>
    columns
      .map((column) => (cells[column] ?? '').padEnd(width(column)))
      .join('  ')
      .trimEnd()
  console.log(`\n${line(Object.fromEntries(columns.map((c) => [c, c])))}`)
  console.log(columns.map((column) => '-'.repeat(width(column))).join('  '))
  for (const row of rows) console.log(line(row))
  console.log()
}

const devnet = await startDevnet({ accounts: 3 })
const server = { close: async () => {} }
try {
  const [buyer, seller, settler] = devnet.accounts as [DevnetAccount, DevnetAccount, DevnetAccount]
  step(`local chain ${devnet.network} at ${devnet.rpcUrl}, test USDC at ${devnet.usdc.address}`)

  const usdc = devnet.usdc

  // The seller: one middleware prices the route; its own wallet settles (no separate facilitator).
  const app = express()
  app.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(settler.account),
        assets: [usdc],
      }),
      {
        assets: [usdc],
        routes: {
          'GET /forecast': {
            price: '$0.01',
            network: devnet.network,
            asset: usdc.address,
            payTo: seller.address,
            description: 'Tomorrow, hour by hour',
          },
        },
      },
    ),
  )
  app.get('/forecast', (_req, res) => {
    res.json({ tomorrow: 'sunny', high: 21 })
  })
  const listener = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => listener.once('listening', resolve))
  server.close = () => new Promise((resolve) => listener.close(() => resolve()))
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/forecast`
  step(`seller's API at ${url}: $0.01 a call, paid to ${seller.address}`)

  // The buyer: a paying fetch with a per-request cap and a budget for this host.
  const pay = wrapFetch(fetch, {
    account: buyer.account,
    assets: [usdc],
    policy: {
      assets: [{ network: devnet.network, address: usdc.address }],
      maxPerRequest: '$0.02',
      budgets: [{ scope: 'host', limit: '$0.05', windowMs: 86_400_000 }],
    },
  })
  step(`buyer ${buyer.address}: at most $0.02 a call, $0.05 a day for this host`)

  const balances = async () => {
    const read = (address: Address) =>
      devnet.publicClient.readContract({
        address: usdc.address,
        abi: testUsdcAbi,
        functionName: 'balanceOf',
        args: [address],
      })
    return { buyer: await read(buyer.address), seller: await read(seller.address) }
  }
  const before = await balances()

  const rows: Record<string, string>[] = []
  for (let call = 1; call <= calls; call++) {
    try {
      const response = await pay(url)
      const receipt = getReceipt(response)
      const body = await response.text()
      rows.push({
        call: String(call),
        status: String(response.status),
        paid: receipt ? usd(receipt.amount) : '-',
        transaction: receipt?.transaction ?? '-',
        response: body.slice(0, 40),
      })
    } catch (error) {
      if (!(error instanceof PolicyRefusedError)) throw error
      rows.push({
        call: String(call),
        status: `refused (${error.guard})`,
        paid: '-',
        transaction: '-',
        response: 'nothing signed',
      })
    }
  }
  printTable(rows)

  const after = await balances()
  printTable(
    (['buyer', 'seller'] as const).map((who) => ({
      account: who,
      before: usd(before[who]),
      after: usd(after[who]),
      change: usd(after[who] - before[who]),
    })),
  )

  const paid = rows.filter((row) => row.status === '200').length
  const moved = after.seller - before.seller
  if (paid !== 5 || moved !== 50_000n || before.buyer - after.buyer !== moved) {
    throw new Error(`demo: expected 5 paid calls moving $0.05, saw ${paid} moving ${usd(moved)}`)
  }
  step('5 calls paid and settled on-chain, the 6th refused by the budget; balances match')
} finally {
  await server.close()
  await devnet.stop()
}
