// A paying agent: calls API_URL CALLS times with a fetch that pays x402 challenges, within a
// per-request cap and a daily budget for the host, only on the allowed network and token. Every
// payment is appended to a receipt log; a call the policy refuses is never signed; a payment is
// reported as paid only when it settled.

// #region setup
import { formatMoney } from '@tollgate/core'
import {
  createPolicy,
  getReceipt,
  listPurchases,
  PolicyRefusedError,
  type Receipt,
  wrapFetch,
} from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { privateKeyToAccount } from 'viem/accounts'
import { readConfig } from './config.js'

const config = readConfig(process.env) // the settings of .env.example
/** Atomic units of the paid token as dollars: 10000n of 6-decimal USDC is `$0.01`. */
const usd = (amount: bigint) => `$${formatMoney(amount, { decimals: config.assetDecimals })}`
// #endregion setup

// #region policy
const day = 24 * 60 * 60 * 1000
const policy = createPolicy({
  networks: [config.network],
  assets: [{ network: config.network, address: config.asset, decimals: config.assetDecimals }],
  maxPerRequest: config.maxPerRequest, // e.g. '$0.02'
  budgets: [{ scope: 'host', limit: config.hostBudget, windowMs: day }], // e.g. '$0.05' a day
})
// #endregion policy

// #region receipts
// Durable: a restart resumes its purchases, and the payments settled in the budget's window
// count again, so restarting the agent never resets its budget.
const receipts = createFileReceiptLog(config.receiptsFile)
// #endregion receipts

// #region pay
const pay = wrapFetch(fetch, {
  account: privateKeyToAccount(config.privateKey),
  policy,
  receipts,
  // Where a payment's fate is checked on-chain, so a refused payment gives its money back. Unset,
  // a registry network (Base, ...) uses its public RPC; a devnet needs its own.
  ...(config.rpcUrl ? { reconcile: { chains: { [config.network]: config.rpcUrl } } } : {}),
})

/** What a call cost: only a settled payment was paid. */
function outcome(receipt: Receipt | undefined): string {
  if (!receipt) return 'free'
  if (receipt.status === 'settled')
    return `paid ${usd(receipt.amount)} in ${receipt.transaction ?? '(transaction not known)'}`
  if (receipt.status === 'refused') return 'not paid: the payment was refused, nothing moved'
  return `not known to be paid: ${usd(receipt.amount)} held until reconciled`
}

for (let call = 1; call <= config.calls; call++) {
  try {
    const response = await pay(config.apiUrl)
    const body = (await response.text()).slice(0, 60)
    console.log(`call ${call}: ${response.status} ${outcome(getReceipt(response))} ${body}`)
  } catch (error) {
    // Refused by the policy before anything was signed: no money can have moved.
    if (!(error instanceof PolicyRefusedError)) throw error
    console.log(`call ${call}: refused (${error.guard}), nothing signed: ${error.shortMessage}`)
  }
}
// #endregion pay

const purchases = await listPurchases(receipts)
const settled = purchases.filter((receipt) => receipt.status === 'settled')
const open = purchases.filter((receipt) => receipt.status === 'indeterminate')
const total = settled.reduce((sum, receipt) => sum + receipt.amount, 0n)
console.log(`${config.receiptsFile}: ${settled.length} settled payments, ${usd(total)} in total`)
if (open.length > 0) console.log(`${open.length} payments not known to be settled: reconcile them`)
// `used` reads as the budget's limit is written: whole units for a '$0.05' budget.
for (const { key, used } of policy.usage())
  console.log(`budget for ${key}: $${used} of ${config.hostBudget} spent or held`)
