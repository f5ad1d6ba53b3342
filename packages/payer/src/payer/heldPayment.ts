import type { Asset } from '@tollgate/evm'
import { getAsset } from '@tollgate/evm'
import type { HeldPayment } from '../policy/createPolicy.js'
import type { Receipt } from '../receipts/receipt.js'

/** A receipt's payment as the policy's budgets count it: amount, asset, payee and host. */
export function heldPaymentOf(receipt: Receipt, registry: readonly Asset[]): HeldPayment {
  return {
    amount: receipt.amount,
    network: receipt.network,
    asset: receipt.asset,
    payTo: receipt.payTo,
    host: new URL(receipt.url).host,
    decimals: getAsset({ network: receipt.network, address: receipt.asset, assets: registry })
      ?.decimals,
  }
}
