import { headerNames } from '@tollgate/core'
import type { Asset, CancelAuthorizationErrorType, SignAuthorizationErrorType } from '@tollgate/evm'
import type {
  BudgetExceededError,
  InvalidChallengeError,
  InvalidPolicyError,
  InvalidPurchaseError,
  InvalidReceiptError,
  InvalidReceiptLogError,
  Policy,
  PolicyParameters,
  PolicyRefusedError,
  PurchaseIndeterminateError,
  PurchaseNotFoundError,
  Purchases,
  RateLimitedError,
  Receipt,
  ReceiptLog,
  ReconcileParameters,
} from '@tollgate/payer'
import { createPayer } from '@tollgate/payer'
import type { Account, WalletClient } from 'viem'
import type { ResponseLike } from './challenge.js'
import { createChallengeCache } from './challengeCache.js'
import { diagnosticChannels } from './diagnostics.js'
import type {
  BodyNotReplayableError,
  InvalidBodyError,
  RedirectRefusedError,
} from './errors/request.js'
import type { Send } from './pay/followRedirect.js'
import { followRedirect } from './pay/followRedirect.js'
import { payRequest } from './pay/payRequest.js'
import type { FetchTransport } from './pay/transport.js'
import type { PurchaseInit } from './purchase.js'
import { readPurchaseIdentity } from './purchase.js'
import type { PreparedRequest } from './request.js'
import { prepareRequest } from './request.js'

/** Any WHATWG-style fetch: the global one, undici's, or a wrapper of either. */
export type FetchLike = (input: never, init?: never) => Promise<unknown>

export type WrapFetchParameters = {
  /** Signs the payments: a viem local `Account`, or a `WalletClient` with an account. */
  account: Account | WalletClient
  /**
   * The rules payments must pass, or a policy from `createPolicy` (share one to share its budgets
   * and what it remembers about routes).
   * @default createPolicy(): every guard on (see `docs/agents/guardrails.md`)
   */
  policy?: Policy | PolicyParameters | undefined
  /**
   * Every receipt is appended here before the paid response is returned. Read once, on the first
   * call: its purchases are resumed (their retries re-send the same authorization), the budget
   * reservations of its indeterminate ones are taken again, and its settled payments count again
   * in the budget windows they fall in (a restart does not reset a budget).
   */
  receipts?: ReceiptLog | undefined
  /** Called with every receipt; errors it throws are published, never thrown. */
  onReceipt?: ((receipt: Receipt) => void | Promise<void>) | undefined
  /** Assets besides `@tollgate/evm`'s registry (devnet tokens): decimals and EIP-712 domain. */
  assets?: readonly Asset[] | undefined
  /**
   * Pay on the first request of a route paid before, while its requirement is unexpired, saving
   * the 402 round trip. A 402 answer falls back to the normal flow.
   * @default false
   */
  preemptive?: boolean | undefined
  /**
   * A streamed request body is kept in memory up to this size so it can be sent again with the
   * payment; a larger one is streamed and cannot be paid for (`BodyNotReplayableError`).
   * @default 1_048_576
   */
  maxBufferedBodyBytes?: number | undefined
  /**
   * Where an authorization's fate is looked up, so a payment the chain proves unspent (a 402 after
   * a payment, an expired authorization) gives its money back and one it proves spent is
   * `settled`: per network a viem client or RPC URL, and a facilitator's status endpoint.
   * `false` turns reconciliation off: a 402 after a payment then stays `indeterminate`, its money
   * held, and an expired indeterminate purchase is never paid again.
   * @default every network of the asset registry, through the public RPC of viem's chain definition
   */
  reconcile?: ReconcileParameters | false | undefined
}

/**
 * What a wrapped fetch rejects with, besides what the fetch it wraps throws: a refusal (nothing
 * signed), a malformed challenge, request or policy, a purchase it will not pay again, a signing
 * failure, or a receipt log that cannot be read.
 */
export type WrapFetchErrorType =
  | PolicyRefusedError
  | BudgetExceededError
  | RateLimitedError
  | InvalidPolicyError
  | InvalidChallengeError
  | InvalidBodyError
  | InvalidPurchaseError
  | BodyNotReplayableError
  | RedirectRefusedError
  | PurchaseIndeterminateError
  | PurchaseNotFoundError
  | InvalidReceiptLogError
  | InvalidReceiptError
  | SignAuthorizationErrorType
  | CancelAuthorizationErrorType

/** A paying fetch: the wrapped fetch, `init.purchase` accepted, and `purchases`. */
export type WrapFetchReturnType<fetchFn extends FetchLike> = fetchFn &
  ((
    input: Parameters<fetchFn>[0],
    init?: Parameters<fetchFn>[1] & PurchaseInit,
  ) => ReturnType<fetchFn>) & { readonly purchases: Purchases }

/**
 * Wraps a fetch so that a 402 answer is paid under a policy and the request retried once. The
 * HTTP transport of `@tollgate/payer`: the payer decides, signs and records; this reads the 402,
 * sends the payment header and reads `PAYMENT-RESPONSE`.
 *
 * On a 402 (v2 `PAYMENT-REQUIRED` header or v1 JSON body) the policy chooses the cheapest
 * acceptable option and reserves its price; the account signs an EIP-3009 authorization; the
 * request is sent again with `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1), and the settlement header
 * of the answer goes into a receipt (`getReceipt(response)`, `onReceipt`, `receipts`). A call is paid
 * at most once; a second 402 is returned as it is. The paid request goes to the URL that answered
 * the 402 and does not follow redirects with its payment header. A request that already carries a
 * payment header is passed through untouched.
 *
 * A request named as a purchase (`init.purchase`, or an `Idempotency-Key` header) is paid once
 * whatever happens on the wire: its retries re-send the same signed authorization (see
 * `docs/agents/purchases.md`).
 *
 * @example
 * import { wrapFetch } from '@tollgate/fetch'
 * import { createFileReceiptLog } from '@tollgate/fetch/node'
 * import { privateKeyToAccount } from 'viem/accounts'
 *
 * const pay = wrapFetch(fetch, {
 *   account: privateKeyToAccount(process.env.AGENT_KEY),
 *   policy: { maxPerRequest: '$0.05', budgets: [{ limit: '$2', windowMs: 3_600_000 }] },
 *   receipts: createFileReceiptLog('./receipts.jsonl'),
 *   reconcile: { chains: { 'eip155:8453': 'https://base-rpc.example.com' } }, // your provider
 * })
 * const response = await pay('https://api.example.com/report', {
 *   purchase: { id: 'report-2026-11-25' },
 * })
 */
export function wrapFetch(
  parameters: WrapFetchParameters,
): WrapFetchReturnType<typeof globalThis.fetch>
export function wrapFetch(
  fetch: undefined,
  parameters: WrapFetchParameters,
): WrapFetchReturnType<typeof globalThis.fetch>
export function wrapFetch<fetchFn extends FetchLike>(
  fetch: fetchFn,
  parameters: WrapFetchParameters,
): WrapFetchReturnType<fetchFn>
export function wrapFetch(
  fetchOrParameters: FetchLike | WrapFetchParameters | undefined,
  maybeParameters?: WrapFetchParameters,
): FetchLike & { readonly purchases: Purchases } {
  // The global fetch is looked up per call, so a fetch installed later (a test, a polyfill) is used.
  const [fetch, parameters] =
    typeof fetchOrParameters === 'function' || fetchOrParameters === undefined
      ? [fetchOrParameters, maybeParameters!]
      : [undefined, fetchOrParameters]
  const { preemptive = false, maxBufferedBodyBytes = 1_048_576 } = parameters
  const send: Send = (input, init) => ((fetch ?? globalThis.fetch) as unknown as Send)(input, init)
  const payer = createPayer({
    account: parameters.account,
    policy: parameters.policy,
    receipts: parameters.receipts,
    onReceipt: parameters.onReceipt,
    assets: parameters.assets,
    reconcile: parameters.reconcile,
    fetch: send,
    channels: diagnosticChannels,
  })
  const transport: FetchTransport = {
    payer,
    send,
    cache: preemptive ? createChallengeCache() : undefined,
    maxBufferedBodyBytes,
  }
  const fetchWithPayment = (input: unknown, init?: Record<string, unknown>) =>
    fetchPaying(transport, input, init)
  return Object.assign(fetchWithPayment, { purchases: payer.purchases })
}

/** One call of a wrapped fetch: the request read once, then paid through the payer. */
async function fetchPaying(
  transport: FetchTransport,
  input: unknown,
  init: Record<string, unknown> | undefined,
): Promise<ResponseLike> {
  let options = init
  let named: PurchaseInit['purchase']
  if (init && 'purchase' in init) {
    const { purchase: given, ...rest } = init
    named = given as PurchaseInit['purchase']
    options = rest
  }
  const { maxBufferedBodyBytes } = transport
  const request = await prepareRequest(input, options, { maxBufferedBodyBytes })
  // The caller pays by hand: adding a second payment could charge the call twice.
  if (
    request.headers.has(headerNames.paymentSignature) ||
    request.headers.has(headerNames.xPayment)
  )
    return passThrough(transport, request)
  const identity = readPurchaseIdentity(named, request.headers)
  return transport.payer.call(identity, (call) => payRequest(transport, request, call))
}

/** Sends a request that carries its own payment; its payment header does not follow a redirect. */
async function passThrough({ send }: FetchTransport, request: PreparedRequest) {
  const response = await send(request.url.href, { ...request.init(), redirect: 'manual' })
  return followRedirect(send, { request, url: request.url, response })
}
