import type { Receipt } from '@tollgate/payer'

const receiptsByResponse = new WeakMap<object, Receipt>()

/**
 * The receipt of the payment made for this response, if one was made. The response returned by a
 * wrapped fetch for a paid call carries it.
 */
export function getReceipt(response: object): Receipt | undefined {
  return receiptsByResponse.get(response)
}

/** Attaches a payment's receipt to a response the wrapped fetch returns. */
export function attachReceipt(response: object, receipt: Receipt): void {
  receiptsByResponse.set(response, receipt)
}
