import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
} from '@tollgate/core'
import { encodePaymentSignatureHeader, encodeXPaymentHeader, headerNames } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { createPaymentPayload, assets as registryAssets } from '@tollgate/evm'
import { fetch as undiciFetch } from 'undici'
import type { Account, WalletClient } from 'viem'
import type { ResponseLike, Settlement } from './challenge.js'
import { discard, readChallenge, readSettlement } from './challenge.js'
import { challengeKey, createChallengeCache, narrowChallenge } from './challengeCache.js'
import { diagnosticChannels, publish } from './diagnostics.js'
import { BodyNotReplayableError } from './errors.js'
import type { Challenge } from './policy/candidate.js'
import type { Authorization, Policy, PolicyParameters } from './policy/createPolicy.js'
import { createPolicy, isPolicy } from './policy/createPolicy.js'
import type { DisputeReason, Receipt, ReceiptStatus } from './receipts/receipt.js'
import type { ReceiptLog } from './receipts/receiptLog.js'
import type { PreparedRequest } from './request.js'
import { prepareRequest } from './request.js'

/** Any WHATWG-style fetch: undici's, Node's global one, or a wrapper of either. */
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
  /** Every receipt is appended here before the paid response is returned. */
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
}

export type WrapFetchReturnType<fetchFn extends FetchLike> = fetchFn

const receiptsByResponse = new WeakMap<object, Receipt>()

/**
 * The receipt of the payment made for this response, if one was made. The response returned by a
 * wrapped fetch for a paid call carries it.
 */
export function getReceipt(response: object): Receipt | undefined {
  return receiptsByResponse.get(response)
}

/**
 * Wraps a fetch so that a 402 answer is paid under a policy and the request retried once.
 *
 * On a 402 (v2 `PAYMENT-REQUIRED` header or v1 JSON body) the policy chooses the cheapest
 * acceptable option and reserves its price; the account signs an EIP-3009 authorization; the
 * request is sent again with `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1), and the settlement header
 * of the answer goes into a receipt (`getReceipt(response)`, `onReceipt`, `receipts`). A call is paid
 * at most once; a second 402 is returned as it is. The paid request goes to the URL that answered
 * the 402 and does not follow redirects with its payment header. A request that already carries a
 * payment header is passed through untouched.
 *
 * @example
 * import { createFileReceiptLog, wrapFetch } from '@tollgate/fetch'
 * import { privateKeyToAccount } from 'viem/accounts'
 *
 * const pay = wrapFetch(fetch, {
 *   account: privateKeyToAccount(process.env.AGENT_KEY),
 *   policy: { maxPerRequest: '$0.05', budgets: [{ limit: '$2', windowMs: 3_600_000 }] },
 *   receipts: createFileReceiptLog('./receipts.jsonl'),
 * })
 * const response = await pay('https://api.example.com/report')
 */
export function wrapFetch(parameters: WrapFetchParameters): typeof undiciFetch
export function wrapFetch(fetch: undefined, parameters: WrapFetchParameters): typeof undiciFetch
export function wrapFetch<fetchFn extends FetchLike>(
  fetch: fetchFn,
  parameters: WrapFetchParameters,
): WrapFetchReturnType<fetchFn>
export function wrapFetch(
  fetchOrParameters: FetchLike | WrapFetchParameters | undefined,
  maybeParameters?: WrapFetchParameters,
): FetchLike {
  const [fetch, parameters] =
    typeof fetchOrParameters === 'function' || fetchOrParameters === undefined
      ? [fetchOrParameters ?? undiciFetch, maybeParameters!]
      : [undiciFetch, fetchOrParameters]
  const {
    account,
    receipts,
    onReceipt,
    assets = [],
    preemptive = false,
    maxBufferedBodyBytes = 1_048_576,
  } = parameters
  const policy = isPolicy(parameters.policy)
    ? parameters.policy
    : createPolicy(parameters.policy ?? {})
  const now = policy.parameters.now ?? Date.now
  const registry: readonly Asset[] = [...assets, ...registryAssets]
  const cache = preemptive ? createChallengeCache() : undefined
  const send = fetch as unknown as (
    input: string,
    init: Record<string, unknown>,
  ) => Promise<ResponseLike>

  async function record(receipt: Receipt) {
    publish(diagnosticChannels.receipt, { receipt })
    if (receipt.disputed) publish(diagnosticChannels.dispute, { receipt })
    try {
      await receipts?.append(receipt)
    } catch (error) {
      publish(diagnosticChannels.error, { error, receipt, stage: 'receipt-log' })
    }
    try {
      await onReceipt?.(receipt)
    } catch (error) {
      publish(diagnosticChannels.error, { error, receipt, stage: 'on-receipt' })
    }
  }

  /**
   * Signs the chosen option. The authorization is valid for the policy's lifetime at most, whatever
   * the server asked; `accepted` still echoes the server's requirement verbatim.
   */
  async function sign(
    challenge: Challenge,
    authorization: Authorization,
  ): Promise<PaymentPayload | PaymentPayloadV1> {
    const { candidate, validForSeconds } = authorization
    if (challenge.x402Version === 1) {
      const original = candidate.original as PaymentRequirementsV1
      return createPaymentPayload(account, {
        paymentRequired: challenge.paymentRequired,
        requirements: { ...original, maxTimeoutSeconds: validForSeconds },
        assets: registry,
      })
    }
    const original = candidate.original as PaymentRequirements
    const signed = await createPaymentPayload(account, {
      paymentRequired: challenge.paymentRequired,
      requirements: { ...original, maxTimeoutSeconds: validForSeconds },
      assets: registry,
    })
    return { ...signed, accepted: original }
  }

  /**
   * Signs one payment for the challenge and sends the request with it to `url`, the URL that
   * answered the challenge. The paid request never follows a redirect itself: see `follow`.
   */
  async function pay(
    request: PreparedRequest,
    challenge: Challenge,
    { url, preemptive: isPreemptive }: { url: URL; preemptive: boolean },
  ) {
    const parameters = {
      challenge,
      url,
      requestedUrl: request.url,
      method: request.method,
      assets: registry,
    }
    // The hooks' I/O first; then the synchronous choice and reservation, which throws before
    // anything is signed when the policy refuses.
    const prepared = await policy.prepare(parameters)
    const authorization = policy.authorize({ ...parameters, prepared })
    const { candidate, reservation } = authorization
    let signed: PaymentPayload | PaymentPayloadV1
    try {
      signed = await sign(challenge, authorization)
    } catch (error) {
      authorization.abandon()
      throw error
    }
    const header: Record<string, string> =
      signed.x402Version === 1
        ? { [headerNames.xPayment]: encodeXPaymentHeader(signed) }
        : { [headerNames.paymentSignature]: encodePaymentSignatureHeader(signed) }
    const base = {
      id: crypto.randomUUID(),
      url: url.href,
      method: request.method,
      x402Version: challenge.x402Version,
      requested: challenge.paymentRequired,
      accepted: candidate.original,
      signed,
      amount: candidate.amount,
      asset: candidate.requirements.asset,
      network: candidate.network ?? candidate.requirements.network,
      payTo: candidate.requirements.payTo,
      payer: payerOf(signed),
      preemptive: isPreemptive,
      at: now(),
    }

    let response: ResponseLike
    try {
      response = await send(url.href, { ...request.init(header), redirect: 'manual' })
    } catch (error) {
      // The payment may have reached the server; only a refused connection proves it did not.
      const sent = !neverSent(error)
      if (!sent) reservation.release()
      await record({
        ...base,
        settlement: undefined,
        transaction: undefined,
        status: sent ? 'indeterminate' : 'failed',
        disputed: sent ? 'no-response' : undefined,
        responseStatus: undefined,
      })
      throw error
    }

    const settlement = readSettlement(response, challenge.x402Version)
    const { status, disputed } = outcome(response.status, settlement)
    if (status === 'settled') reservation.commit()
    else if (status === 'failed') reservation.release()
    // An indeterminate payment keeps its reservation: it may have been spent.
    if (response.status === 402) authorization.recordRefusal()
    const settled = settlement.present ? settlement.response : undefined
    const receipt: Receipt = {
      ...base,
      settlement: settled,
      transaction: settled?.transaction || undefined,
      status,
      disputed,
      responseStatus: response.status,
    }
    receiptsByResponse.set(response, receipt)
    await record(receipt)
    const delivered = await follow(request, url, response)
    receiptsByResponse.set(delivered, receipt)
    return { response: delivered, receipt, candidate }
  }

  /**
   * A redirect answering a paid request is followed, as the caller's `redirect` mode asks, by a
   * new request without the payment header (and without credentials when it leaves the origin):
   * a payment never travels to where the server points, and the next answer is never paid.
   */
  async function follow(request: PreparedRequest, url: URL, response: ResponseLike) {
    const location = response.headers.get('location')
    if (!redirectStatuses.has(response.status) || location === null) return response
    if (request.redirect === 'manual') return response
    if (request.redirect === 'error') {
      await discard(response)
      throw new TypeError(
        `The paid request to ${url.href} was redirected, and redirect is 'error'.`,
      )
    }
    let target: URL
    try {
      target = new URL(location, url)
    } catch {
      return response
    }
    await discard(response)
    const init = request.init()
    let headers = (init.headers as [string, string][]).filter(
      ([name]) => !paymentHeaders.has(name.toLowerCase()),
    )
    const toGet =
      (response.status === 303 && request.method !== 'HEAD') ||
      ((response.status === 301 || response.status === 302) && request.method === 'POST')
    if (toGet) {
      init.method = 'GET'
      delete init.body
      delete init.duplex
      headers = headers.filter(([name]) => !name.toLowerCase().startsWith('content-'))
    }
    if (target.origin !== url.origin)
      headers = headers.filter(([name]) => !credentialHeaders.has(name.toLowerCase()))
    return send(target.href, { ...init, headers })
  }

  /** Pays a challenge received in answer to an unpaid (or refused pre-emptive) request. */
  async function payChallenge(
    request: PreparedRequest,
    unpaid: ResponseLike,
    challenge: Challenge,
    key: string | undefined,
    url: URL,
  ) {
    await discard(unpaid)
    if (!request.replayable) throw new BodyNotReplayableError({ limit: maxBufferedBodyBytes })
    const received = now()
    const { response, receipt, candidate } = await pay(request, challenge, {
      url,
      preemptive: false,
    })
    // Only a route answered where it was asked is paid ahead of its 402 next time.
    if (cache && key && receipt.status === 'settled' && url.href === request.url.href) {
      const expiresAt = received + candidate.requirements.maxTimeoutSeconds * 1000
      cache.set(key, narrowChallenge(challenge, candidate.index), expiresAt)
    }
    return response
  }

  async function fetchWithPayment(input: unknown, init?: Record<string, unknown>) {
    const request = await prepareRequest(input, init, { maxBufferedBodyBytes })
    // The caller pays by hand: adding a second payment could charge the call twice. Its payment
    // header does not follow a redirect either.
    if (
      request.headers.has(headerNames.paymentSignature) ||
      request.headers.has(headerNames.xPayment)
    ) {
      const response = await send(request.url.href, { ...request.init(), redirect: 'manual' })
      return follow(request, request.url, response)
    }

    const key = cache && challengeKey(request.method, request.url)
    const cached = key === undefined ? undefined : cache?.get(key, now())
    if (key !== undefined && cached) {
      const attempt = await pay(request, cached, { url: request.url, preemptive: true })
      // Only a payment the server refused with a 402 (no successful settlement) may be replaced,
      // once: the new challenge passes every rule again, and counts toward the route's limits.
      if (attempt.receipt.status !== 'failed' || attempt.response.status !== 402)
        return attempt.response
      cache?.delete(key)
      const challenge = await readChallenge(attempt.response, request.url)
      if (!challenge) return attempt.response
      return payChallenge(request, attempt.response, challenge, key, request.url)
    }

    // The unpaid request follows redirects as the caller asked: it carries no payment.
    const response = await send(request.url.href, request.init())
    if (response.status !== 402) return response
    const answeredBy = responseUrl(response, request.url)
    const challenge = await readChallenge(response, answeredBy)
    if (!challenge) return response
    return payChallenge(request, response, challenge, key, answeredBy)
  }

  return fetchWithPayment
}

/**
 * The status says what the server claims, `disputed` whether the claim leaves the agent exposed:
 * - a successful settlement header: settled (disputed when the answer is an error: nothing was
 *   delivered for the money);
 * - a pending settlement: indeterminate (the transaction may still land);
 * - a 402 with a failed settlement header, or without one: failed, the server refused the payment;
 * - any other answer without a successful settlement: indeterminate.
 * Every paid answer without a successful or pending settlement is disputed: the server holds a
 * signed authorization, spendable until `validBefore`, and shows no settlement for it.
 */
function outcome(
  status: number,
  settlement: Settlement,
): { status: ReceiptStatus; disputed: DisputeReason | undefined } {
  const response = settlement.present ? settlement.response : undefined
  if (response?.success)
    return { status: 'settled', disputed: status >= 400 ? 'not-delivered' : undefined }
  if (response && response.errorReason === 'settlement_pending')
    return { status: 'indeterminate', disputed: undefined }
  return {
    status: status === 402 ? 'failed' : 'indeterminate',
    disputed: response
      ? 'settlement-failed'
      : settlement.present
        ? 'settlement-unreadable'
        : 'settlement-missing',
  }
}

/** The URL a response came from, after the redirects fetch followed. */
function responseUrl(response: ResponseLike, requested: URL): URL {
  if (!response.url) return requested
  try {
    return new URL(response.url)
  } catch {
    return requested
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308])

/** Headers that carry a payment: never sent after a redirect. */
const paymentHeaders = new Set([
  headerNames.paymentSignature.toLowerCase(),
  headerNames.xPayment.toLowerCase(),
])

/** Headers fetch drops when a redirect leaves the origin. */
const credentialHeaders = new Set(['authorization', 'cookie', 'proxy-authorization'])

function payerOf(signed: PaymentPayload | PaymentPayloadV1): string {
  const authorization = (signed.payload as { authorization?: { from?: unknown } }).authorization
  return typeof authorization?.from === 'string' ? authorization.from : ''
}

const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
])

/** A fetch error that proves the request never left: the connection was never made. */
function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof cause?.code === 'string' && unsentCodes.has(cause.code)
}
