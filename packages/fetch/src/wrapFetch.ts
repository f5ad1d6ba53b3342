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
import type { Policy, PolicyParameters } from './policy/createPolicy.js'
import { createPolicy, isPolicy } from './policy/createPolicy.js'
import type { Receipt, ReceiptStatus } from './receipts/receipt.js'
import type { ReceiptLog } from './receipts/receiptLog.js'
import type { PreparedRequest } from './request.js'
import { prepareRequest } from './request.js'

/** Any WHATWG-style fetch: undici's, Node's global one, or a wrapper of either. */
export type FetchLike = (input: never, init?: never) => Promise<unknown>

export type WrapFetchParameters = {
  /** Signs the payments: a viem local `Account`, or a `WalletClient` with an account. */
  account: Account | WalletClient
  /**
   * The rules payments must pass, or a policy from `createPolicy` (share one to share its budgets).
   * @default createPolicy(): registry assets only, at most '$1' per request, no budget
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
 * at most once; a second 402 is returned as it is. A request that already carries a payment header
 * is passed through untouched.
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

  /** Signs one payment for the challenge and sends the request with it. */
  async function pay(request: PreparedRequest, challenge: Challenge, isPreemptive: boolean) {
    // Throws before anything is signed when the policy refuses.
    const { candidate, reservation } = policy.authorize({
      challenge,
      url: request.url,
      method: request.method,
      assets: registry,
    })
    let signed: PaymentPayload | PaymentPayloadV1
    try {
      signed =
        challenge.x402Version === 1
          ? await createPaymentPayload(account, {
              paymentRequired: challenge.paymentRequired,
              requirements: candidate.original as PaymentRequirementsV1,
              assets: registry,
            })
          : await createPaymentPayload(account, {
              paymentRequired: challenge.paymentRequired,
              requirements: candidate.original as PaymentRequirements,
              assets: registry,
            })
    } catch (error) {
      reservation.release()
      throw error
    }
    const header: Record<string, string> =
      signed.x402Version === 1
        ? { [headerNames.xPayment]: encodeXPaymentHeader(signed) }
        : { [headerNames.paymentSignature]: encodePaymentSignatureHeader(signed) }
    const base = {
      id: crypto.randomUUID(),
      url: request.url.href,
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
      response = await send(request.url.href, request.init(header))
    } catch (error) {
      // The payment may have reached the server; only a refused connection proves it did not.
      const status: ReceiptStatus = neverSent(error) ? 'failed' : 'indeterminate'
      if (status === 'failed') reservation.release()
      await record({
        ...base,
        settlement: undefined,
        transaction: undefined,
        status,
        responseStatus: undefined,
      })
      throw error
    }

    const settlement = readSettlement(response, challenge.x402Version)
    const status = outcome(response.status, settlement)
    if (status === 'settled') reservation.commit()
    else if (status === 'failed') reservation.release()
    // An indeterminate payment keeps its reservation: it may have been spent.
    const settled = settlement.present ? settlement.response : undefined
    const receipt: Receipt = {
      ...base,
      settlement: settled,
      transaction: settled?.transaction || undefined,
      status,
      responseStatus: response.status,
    }
    receiptsByResponse.set(response, receipt)
    await record(receipt)
    return { response, receipt, candidate }
  }

  /** Pays a challenge received in answer to an unpaid (or refused pre-emptive) request. */
  async function payChallenge(
    request: PreparedRequest,
    unpaid: ResponseLike,
    challenge: Challenge,
    key: string | undefined,
  ) {
    await discard(unpaid)
    if (!request.replayable) throw new BodyNotReplayableError({ limit: maxBufferedBodyBytes })
    const received = now()
    const { response, receipt, candidate } = await pay(request, challenge, false)
    if (cache && key && receipt.status === 'settled') {
      const expiresAt = received + candidate.requirements.maxTimeoutSeconds * 1000
      cache.set(key, narrowChallenge(challenge, candidate.index), expiresAt)
    }
    return response
  }

  async function fetchWithPayment(input: unknown, init?: Record<string, unknown>) {
    const request = await prepareRequest(input, init, { maxBufferedBodyBytes })
    // The caller pays by hand: adding a second payment could charge the call twice.
    if (
      request.headers.has(headerNames.paymentSignature) ||
      request.headers.has(headerNames.xPayment)
    )
      return send(request.url.href, request.init())

    const key = cache && challengeKey(request.method, request.url)
    const cached = key === undefined ? undefined : cache?.get(key, now())
    if (key !== undefined && cached) {
      const attempt = await pay(request, cached, true)
      // Only a payment proven unspent (a 402 without a successful settlement) may be replaced.
      if (attempt.receipt.status !== 'failed' || attempt.response.status !== 402)
        return attempt.response
      cache?.delete(key)
      const challenge = await readChallenge(attempt.response, request.url)
      if (!challenge) return attempt.response
      return payChallenge(request, attempt.response, challenge, key)
    }

    const response = await send(request.url.href, request.init())
    if (response.status !== 402) return response
    const challenge = await readChallenge(response, request.url)
    if (!challenge) return response
    return payChallenge(request, response, challenge, key)
  }

  return fetchWithPayment
}

/**
 * - a successful settlement header: settled;
 * - a pending settlement: indeterminate (the transaction may still land);
 * - another failed settlement header, or a 402 without one: failed, nothing was charged;
 * - no readable header on a non-402 answer: indeterminate.
 */
function outcome(status: number, settlement: Settlement): ReceiptStatus {
  const response = settlement.present ? settlement.response : undefined
  if (response?.success) return 'settled'
  if (response && response.errorReason === 'settlement_pending') return 'indeterminate'
  if (response) return 'failed'
  if (status === 402) return 'failed'
  return 'indeterminate'
}

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
