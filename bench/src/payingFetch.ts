import { getReceipt, wrapFetch } from '@tollgate/fetch'
import { decodePaymentResponseHeader } from '@x402/core/http'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { wrapFetchWithPayment, x402Client } from '@x402/fetch'
import type { Hex, LocalAccount } from 'viem'
import type { BenchToken } from './roles.js'

/** One agent's paying fetch, and how to read the settlement transaction off a paid response. */
export type PayingAgent = {
  pay(url: string): Promise<Response>
  /** The settlement transaction named by the response's payment header, when it names one. */
  transactionOf(response: Response): Hex | undefined
}

/**
 * An agent of the reference stack: `@x402/fetch` with `@x402/evm`'s exact client scheme. The devnet
 * token is unknown to it, so it is allowed explicitly (its default spend controls).
 */
export function createReferenceAgent(account: LocalAccount, token: BenchToken): PayingAgent {
  const client = new x402Client()
    .register('eip155:*', new ExactEvmScheme(account))
    .setSpendControls({ allowedAssets: [{ network: token.network, asset: token.address }] })
  const pay = wrapFetchWithPayment(fetch, client)
  return {
    pay: (url) => pay(url),
    transactionOf(response) {
      const header = response.headers.get('payment-response')
      const transaction = header ? decodePaymentResponseHeader(header).transaction : ''
      return transaction ? (transaction as Hex) : undefined
    },
  }
}

/**
 * An agent of our stack: `@tollgate/fetch` with the devnet token registered and a policy as loose as
 * the reference client's (its `$1` cap per payment): no budgets and no rate limit, whose defaults
 * (`$5` an hour per host, 60 payments a minute per route) a benchmark agent would hit. With
 * `preemptive` (off by default, as in `wrapFetch`), it pays a route it has seen a 402 of with the
 * request itself.
 */
export function createTollgateAgent(
  account: LocalAccount,
  token: BenchToken,
  { preemptive = false }: { preemptive?: boolean } = {},
): PayingAgent {
  const pay = wrapFetch(fetch, {
    account,
    policy: { maxPerRequest: '$1', budgets: [], rateLimit: null },
    assets: [token],
    preemptive,
  })
  return {
    pay: (url) => pay(url),
    transactionOf(response) {
      const transaction = getReceipt(response)?.transaction
      return transaction ? (transaction as Hex) : undefined
    },
  }
}
