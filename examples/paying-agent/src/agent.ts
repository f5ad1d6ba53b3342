// A paying agent: calls API_URL CALLS times with a fetch that pays x402 challenges, within a
// per-request cap and a daily budget for the host, only on the allowed network and token. Every
// payment is appended to a receipt log; a call the policy refuses is never signed.
import { formatMoney } from '@tollgate/core'
import {
  createFileReceiptLog,
  createPolicy,
  getReceipt,
  listPurchases,
  PolicyRefusedError,
  wrapFetch,
} from '@tollgate/fetch'
import { privateKeyToAccount } from 'viem/accounts'
import { readConfig } from './config.js'

const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`paying-agent: ${(error as Error).message}`)
    process.exit(1)
  }
})()
const usd = (amount: bigint) => `$${formatMoney(amount, { decimals: config.assetDecimals })}`

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
const receipts = createFileReceiptLog(config.receiptsFile)
// A restart must not reset the budget: payments settled in the last day count again (from now on,
// so a restart can only make the budget last longer, never free it early).
for (const receipt of await listPurchases(receipts)) {
  if (receipt.status !== 'settled' || receipt.at < Date.now() - day) continue
  policy
    .hold({
      amount: receipt.amount,
      network: receipt.network,
      asset: receipt.asset,
      payTo: receipt.payTo,
      host: new URL(receipt.url).host,
      decimals: config.assetDecimals,
    })
    .commit()
}
// #endregion receipts

// #region pay
const pay = wrapFetch(fetch, {
  account: privateKeyToAccount(config.privateKey),
  policy,
  receipts,
})
for (let call = 1; call <= config.calls; call++) {
  try {
    const response = await pay(config.apiUrl)
    const receipt = getReceipt(response)
    const paid = receipt ? `paid ${usd(receipt.amount)} in ${receipt.transaction}` : 'free'
    console.log(`call ${call}: ${response.status} ${paid} ${(await response.text()).slice(0, 60)}`)
  } catch (error) {
    // Refused by the policy before anything was signed: no money can have moved.
    if (!(error instanceof PolicyRefusedError)) throw error
    console.log(`call ${call}: refused (${error.guard}), nothing signed: ${error.shortMessage}`)
  }
}
// #endregion pay

const settled = (await listPurchases(receipts)).filter((receipt) => receipt.status === 'settled')
const total = settled.reduce((sum, receipt) => sum + receipt.amount, 0n)
console.log(`${config.receiptsFile}: ${settled.length} settled payments, ${usd(total)} in total`)
