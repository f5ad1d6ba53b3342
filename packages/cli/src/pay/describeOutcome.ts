import type { Receipt, ReceiptStatus } from '@tollgate/fetch'

/** What a payment came to, as `tollgate pay` reports it (text and `--json`). */
export type PayOutcome = {
  /** True only for a settled receipt: the transfer happened. */
  paid: boolean
  /** The receipt's status. */
  status: ReceiptStatus
  /**
   * Why it is not paid or not known, or what is wrong with a paid one: the server's x402 reason
   * (`invalid_exact_evm_insufficient_balance`), a dispute (`settlement-missing`, `no-response`,
   * `not-delivered`), `never-sent`, `unproven` (a refusal without a reason that nothing proved
   * unspent) or `unconfirmed` (a settlement not confirmed yet).
   */
  reason: string | undefined
  /** One sentence for a person. */
  message: string
  /** Until when an unsettled authorization can still be spent (ISO 8601), if it may be. */
  spendableUntil: string | undefined
}

export type DescribeOutcomeParameters = {
  /** The x402 `error` of a 402 answer to the paid request, when it has one. */
  serverError: string | undefined
  /** Whether an RPC was given to check the authorization on-chain. */
  canCheckChain: boolean
}

/** The outcome of a paid request, from its receipt: never "paid" unless it settled. */
export function describeOutcome(
  receipt: Receipt,
  { serverError, canCheckChain }: DescribeOutcomeParameters,
): PayOutcome {
  const refusal = serverError ?? receipt.settlement?.errorReason ?? undefined
  if (receipt.status === 'settled') {
    const undelivered = receipt.disputed === 'not-delivered'
    return {
      paid: true,
      status: 'settled',
      reason: receipt.disputed,
      message: undelivered
        ? `paid, but the server answered ${receipt.responseStatus ?? 'nothing'}: the content was not delivered`
        : 'paid',
      spendableUntil: undefined,
    }
  }
  if (receipt.status === 'refused') {
    const sent = receipt.responseStatus !== undefined
    const proven = receipt.reconciled?.by === 'chain' ? '; the chain shows it unspent' : ''
    return {
      paid: false,
      status: 'refused',
      reason: sent ? (refusal ?? 'refused') : 'never-sent',
      message: sent
        ? `not paid: the server refused the payment${refusal ? ` (${refusal})` : ''}${proven}`
        : 'not paid: the request did not reach the server',
      spendableUntil: undefined,
    }
  }
  // A 402 to the payment is the server's refusal, whatever else the receipt says of its headers.
  const refused402 = receipt.responseStatus === 402
  const why = refused402
    ? `the server refused the payment${refusal ? ` (${refusal})` : ''}, and nothing proved the authorization unspent`
    : unknownBecause(receipt, refusal)
  const until = spendableUntil(receipt)
  const advice = !canCheckChain && refused402 ? pass : ''
  return {
    paid: false,
    status: 'indeterminate',
    reason: refused402 ? (refusal ?? 'unproven') : (receipt.disputed ?? 'unconfirmed'),
    message: `unknown whether paid: ${why}${until ? `; the authorization can be spent until ${until}` : ''}${advice}`,
    spendableUntil: until,
  }
}

const pass = '. Pass --rpc (or set TOLLGATE_RPC_URL) to check it on-chain'

function unknownBecause(receipt: Receipt, refusal: string | undefined): string {
  switch (receipt.disputed) {
    case 'no-response':
      return 'the connection was lost after the payment was sent'
    case 'settlement-missing':
      return 'the server answered without a settlement header'
    case 'settlement-unreadable':
      return 'the settlement header does not decode'
    case 'settlement-failed':
      return `the server says the settlement failed${refusal ? ` (${refusal})` : ''}`
    default:
      return 'the settlement is not confirmed yet'
  }
}

/** The `validBefore` of the receipt's EIP-3009 authorization, as an ISO date. */
function spendableUntil(receipt: Receipt): string | undefined {
  const authorization = (receipt.signed.payload as { authorization?: { validBefore?: unknown } })
    .authorization
  const validBefore = Number(authorization?.validBefore)
  return Number.isSafeInteger(validBefore) && validBefore > 0
    ? new Date(validBefore * 1000).toISOString()
    : undefined
}
