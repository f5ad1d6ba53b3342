import type { Receipt } from '@tollgate/payer'

const receiptsByResult = new WeakMap<object, Receipt>()

/**
 * The receipt of the payment made for this tool result, if one was made: a paying client's
 * `callTool` attaches it to the result it returns.
 *
 * @example
 * ```ts
 * const result = await paying.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
 * const receipt = getReceipt(result) // { status: 'settled', transaction, amount, ... }
 * ```
 */
export function getReceipt(result: object): Receipt | undefined {
  return receiptsByResult.get(result)
}

/** Attaches a payment's receipt to the result a paying client returns. */
export function attachReceipt(result: object, receipt: Receipt): void {
  receiptsByResult.set(result, receipt)
}
