import { formatMoney } from '@tollgate/core'
import { type Asset, getAsset } from '@tollgate/evm'
import type { Receipt } from '@tollgate/fetch'

/** A receipt as a tool shows it: the amount in whole units when the token is known. */
export function describeReceipt(receipt: Receipt, assets: readonly Asset[]) {
  const where = { network: receipt.network, address: receipt.asset }
  const token = getAsset(where) ?? getAsset({ ...where, assets })
  return {
    id: receipt.id,
    purchase: receipt.purchase ?? null,
    status: receipt.status,
    paid: receipt.status === 'settled',
    amount: token
      ? formatMoney(receipt.amount, { decimals: token.decimals, symbol: token.symbol })
      : `${receipt.amount} (atomic)`,
    url: receipt.url,
    method: receipt.method,
    network: receipt.network,
    asset: receipt.asset,
    payTo: receipt.payTo,
    transaction: receipt.transaction ?? null,
    disputed: receipt.disputed ?? null,
    at: new Date(receipt.at).toISOString(),
  }
}
