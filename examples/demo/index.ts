/**
 * The README's demo, end to end on a local chain, agent to agent:
 * - a seller agent runs an Express API whose `/forecast` route costs $0.01 (test USDC), registers
 *   itself in the ERC-8004 identity registry and names that identity in its 402s;
 * - a buyer agent finds it by scanning the registry, resolves it, checks its domain, and calls it
 *   six times with a $0.05 budget for that host, paying only the seller's verified wallet: five
 *   calls are paid and settled on-chain, the sixth is refused by the budget before anything is
 *   signed;
 * - the buyer leaves feedback naming one payment's settlement transaction, and the reputation
 *   summary counts it.
 */
import type { AddressInfo } from 'node:net'
import { deployRegistries, testUsdcAbi } from '@tollgate/contracts'
import { type DevnetAccount, startDevnet } from '@tollgate/contracts/devnet'
import { formatMoney } from '@tollgate/core'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { getReceipt, PolicyRefusedError, type Receipt, wrapFetch } from '@tollgate/fetch'
import {
  createPayeeVerifier,
  createRegistrationFile,
  findAgents,
  getReputationSummary,
  giveFeedbackForPayment,
  registerAgent,
  resolveAgent,
  verifyAgentDomain,
} from '@tollgate/identity'
import express from 'express'
import type { Address } from 'viem'

const calls = 6
// Loopback http stands in for the https an agent would serve in production.
const fetchOptions = { allowHttp: true } as const

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
  const usdc = devnet.usdc
  step(`local chain ${devnet.network} at ${devnet.rpcUrl}, test USDC at ${usdc.address}`)
  const registries = await deployRegistries(
    devnet.walletClient(devnet.deployer.account),
    devnet.publicClient,
  )
  step(`ERC-8004 identity registry at ${registries.identityRegistry}`)

  // The seller's server listens first: its registration names its URL.
  const app = express()
  const api = express.Router()
  app.use(api)
  const listener = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => listener.once('listening', resolve))
  server.close = () => new Promise((resolve) => listener.close(() => resolve()))
  const origin = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`

  const registered = await registerAgent(devnet.walletClient(seller.account), {
    registry: registries.identityRegistry,
    file: createRegistrationFile({
      name: 'forecast-seller',
      description: 'Hourly forecasts, $0.01 a call',
      services: [{ name: 'web', endpoint: `${origin}/forecast` }],
      x402Support: true,
      supportedTrust: ['reputation'],
    }),
    publish: { kind: 'data' },
  })
  step(`seller registered as agent #${registered.agentId} (${registered.agentRegistry})`)

  // One middleware prices the route, names the agent in its 402s and serves its domain proof; the
  // seller's own settlement wallet settles (no separate facilitator).
  api.use(
    createPaywall(
      createLocalFacilitator({
        publicClient: devnet.publicClient,
        walletClient: devnet.walletClient(settler.account),
        assets: [usdc],
      }),
      {
        assets: [usdc],
        agent: {
          agentRegistry: registered.agentRegistry,
          agentId: registered.agentId,
          registrationFile: registered.file,
        },
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
  api.get('/forecast', (_req, res) => {
    res.json({ tomorrow: 'sunny', high: 21 })
  })
  step(`seller's API at ${origin}/forecast: $0.01 a call, paid to ${seller.address}`)

  // The buyer finds the seller by scanning the registry, then checks what it found.
  const found = await findAgents(devnet.publicClient, {
    registry: registries.identityRegistry,
    filter: { service: 'web', x402Support: true, active: true },
    fetchOptions,
  })
  if (found.length !== 1) throw new Error(`demo: expected one x402 agent, found ${found.length}`)
  const agent = await resolveAgent(devnet.publicClient, {
    registry: registered.agentRegistry,
    agentId: found[0]!.agentId,
    fetchOptions,
  })
  const endpoint = agent.getService('web')!.endpoint
  const domain = await verifyAgentDomain({ agent, endpoint, fetchOptions })
  if (!domain.verified)
    throw new Error(`demo: the seller's domain did not verify (${domain.reason})`)
  step(
    `buyer found agent #${agent.agentId}: ${endpoint}, domain verified, pays only ${agent.agentWallet}`,
  )

  // The buyer: a paying fetch with a per-request cap, a budget for this host, and the rule that a
  // 402 naming an agent is paid only to that agent's verified wallet.
  const receipts: Receipt[] = []
  const pay = wrapFetch(fetch, {
    account: buyer.account,
    assets: [usdc],
    onReceipt: (receipt) => void receipts.push(receipt),
    policy: {
      assets: [{ network: devnet.network, address: usdc.address }],
      maxPerRequest: '$0.02',
      budgets: [{ scope: 'host', limit: '$0.05', windowMs: 86_400_000 }],
      verifyPayee: createPayeeVerifier(devnet.publicClient, { fetchOptions, verifyDomain: true }),
      requireIdentity: true,
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
      const response = await pay(endpoint)
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

  // Feedback backed by a proof of payment: the settlement transaction of the last paid call.
  const proof = receipts.filter((receipt) => receipt.status === 'settled').at(-1)!
  const feedback = await giveFeedbackForPayment(devnet.walletClient(buyer.account), {
    registry: registries.reputationRegistry,
    agentId: agent.agentId,
    receipt: proof,
    value: '95',
    tag1: 'x402',
    endpoint,
  })
  const summary = await getReputationSummary(devnet.publicClient, {
    registry: registries.reputationRegistry,
    agentId: agent.agentId,
    clients: [buyer.address],
    tag1: 'x402',
  })
  step(
    `buyer's feedback #${feedback.feedbackIndex} (95/100) cites payment ${feedback.proofOfPayment.txHash}`,
  )
  step(
    `reputation of agent #${agent.agentId} from this buyer: ${summary.count} review, average ${summary.value}`,
  )
  step('5 calls paid and settled on-chain, the 6th refused by the budget; balances match')
} finally {
  await server.close()
  await devnet.stop()
}
