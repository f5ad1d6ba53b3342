import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
} from '@tollgate/core'
import {
  encodePaymentSignatureHeader,
  encodeXPaymentHeader,
  headerNames,
  paymentIdentifierKey,
  reasons,
} from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { createPaymentPayload, getAsset, assets as registryAssets } from '@tollgate/evm'
import { fetch as undiciFetch } from 'undici'
import type { Account, Chain, Transport, WalletClient } from 'viem'
import type { ResponseLike, Settlement } from './challenge.js'
import { discard, readChallenge, readSettlement } from './challenge.js'
import { challengeKey, createChallengeCache, narrowChallenge } from './challengeCache.js'
import { diagnosticChannels, publish } from './diagnostics.js'
import {
  BodyNotReplayableError,
  PurchaseIndeterminateError,
  PurchaseNotFoundError,
} from './errors.js'
import type { Reservation } from './policy/budget.js'
import type { Challenge } from './policy/candidate.js'
import type { Authorization, Policy, PolicyParameters } from './policy/createPolicy.js'
import { createPolicy, isPolicy } from './policy/createPolicy.js'
import { cancelAuthorization } from './purchases/cancelAuthorization.js'
import type { AuthorizationFinding, ReconcileOptions } from './purchases/inspectAuthorization.js'
import { authorizationOf, createInspector } from './purchases/inspectAuthorization.js'
import type { PurchaseIdentity, PurchaseInit } from './purchases/purchaseIdentity.js'
import { readPurchaseIdentity } from './purchases/purchaseIdentity.js'
import { latestByPurchase } from './receipts/listPurchases.js'
import type { DisputeReason, Receipt, ReceiptStatus, ResignReason } from './receipts/receipt.js'
import { purchaseOf } from './receipts/receipt.js'
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
  /**
   * Every receipt is appended here before the paid response is returned. Read once, on the first
   * call: its purchases are resumed (their retries re-send the same authorization) and the
   * budget reservations of its indeterminate ones are taken again.
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
   * Where an authorization's fate is looked up: per network a viem client or RPC URL
   * (`authorizationState` on-chain), and a facilitator's status endpoint. Without a chain for a
   * network, nothing proves an authorization there unspent: a 402 after a payment stays
   * `indeterminate`, and an expired indeterminate purchase is never paid again.
   */
  reconcile?: ReconcileOptions | undefined
}

/** What `purchases.cancel` needs: a client that sends the `cancelAuthorization` transaction. */
export type CancelPurchaseParameters = {
  walletClient: WalletClient<Transport, Chain | undefined, Account>
}

/** The purchases a wrapped fetch made: their current state, reconciliation and cancellation. */
export type Purchases = {
  /** The latest record of every purchase (from the receipt log and this process). */
  list(): Promise<Receipt[]>
  /** The latest record of one purchase. */
  get(id: string): Promise<Receipt | undefined>
  /**
   * Looks up the fate of indeterminate purchases (one, or all) and records what changed:
   * spent becomes `settled`, unspent and expired `refused`; anything else stays `indeterminate`.
   * Resolves with their latest records.
   */
  reconcile(id?: string | undefined): Promise<Receipt[]>
  /**
   * Cancels a purchase's unsettled authorization on-chain (`cancelAuthorization`, signed by the
   * account): it can never be spent, the purchase is `refused`, and its next retry signs anew.
   * Rejects when the authorization was spent already (the purchase is then recorded `settled`).
   */
  cancel(id: string, parameters: CancelPurchaseParameters): Promise<Receipt>
}

/** A paying fetch: the wrapped fetch, `init.purchase` accepted, and `purchases`. */
export type WrapFetchReturnType<fetchFn extends FetchLike> = fetchFn &
  ((
    input: Parameters<fetchFn>[0],
    init?: Parameters<fetchFn>[1] & PurchaseInit,
  ) => ReturnType<fetchFn>) & { readonly purchases: Purchases }

const receiptsByResponse = new WeakMap<object, Receipt>()

/**
 * The receipt of the payment made for this response, if one was made. The response returned by a
 * wrapped fetch for a paid call carries it.
 */
export function getReceipt(response: object): Receipt | undefined {
  return receiptsByResponse.get(response)
}

/** An authorization is re-sent only while it has at least this long left (clock skew, latency). */
const resendMarginSeconds = 5

/** What the process knows of a purchase: its latest record and the money held for it. */
type Entry = {
  receipt: Receipt
  /** Held while the purchase is indeterminate (and while a payment of it is in flight). */
  reservation: Reservation | undefined
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
 * A request named as a purchase (`init.purchase`, or an `Idempotency-Key` header) is paid once
 * whatever happens on the wire: its retries re-send the same signed authorization (see
 * `docs/agents/purchases.md`).
 *
 * @example
 * import { createFileReceiptLog, wrapFetch } from '@tollgate/fetch'
 * import { privateKeyToAccount } from 'viem/accounts'
 *
 * const pay = wrapFetch(fetch, {
 *   account: privateKeyToAccount(process.env.AGENT_KEY),
 *   policy: { maxPerRequest: '$0.05', budgets: [{ limit: '$2', windowMs: 3_600_000 }] },
 *   receipts: createFileReceiptLog('./receipts.jsonl'),
 *   reconcile: { chains: { 'eip155:8453': 'https://mainnet.base.org' } },
 * })
 * const response = await pay('https://api.example.com/report', {
 *   purchase: { id: 'report-2026-11-25' },
 * })
 */
export function wrapFetch(parameters: WrapFetchParameters): WrapFetchReturnType<typeof undiciFetch>
export function wrapFetch(
  fetch: undefined,
  parameters: WrapFetchParameters,
): WrapFetchReturnType<typeof undiciFetch>
export function wrapFetch<fetchFn extends FetchLike>(
  fetch: fetchFn,
  parameters: WrapFetchParameters,
): WrapFetchReturnType<fetchFn>
export function wrapFetch(
  fetchOrParameters: FetchLike | WrapFetchParameters | undefined,
  maybeParameters?: WrapFetchParameters,
): FetchLike & { readonly purchases: Purchases } {
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
    reconcile: reconcileOptions = {},
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
  const inspector = createInspector(
    reconcileOptions,
    send as unknown as Parameters<typeof createInspector>[1],
  )

  /** Purchases by id: every identified one, and the indeterminate ones of unnamed calls. */
  const book = new Map<string, Entry>()
  /** Calls of one purchase run one after another. */
  const locks = new Map<string, Promise<unknown>>()
  let loaded: Promise<readonly Receipt[]> | undefined

  /**
   * Reads the receipt log once: its purchases are resumed, and the money of its indeterminate
   * ones is held again (it may be gone), even past a budget's limit. Resolves with the latest
   * record of each purchase the log held when it was read.
   */
  function load(): Promise<readonly Receipt[]> {
    loaded ??= (async () => {
      if (!receipts) return []
      const read = latestByPurchase(await receipts.list())
      for (const receipt of read) {
        const id = purchaseOf(receipt)
        if (book.has(id)) continue
        book.set(id, {
          receipt,
          reservation: receipt.status === 'indeterminate' ? hold(receipt) : undefined,
        })
      }
      return read
    })().catch((error: unknown) => {
      loaded = undefined
      throw error
    })
    return loaded
  }

  function hold(receipt: Receipt): Reservation {
    return policy.hold({
      amount: receipt.amount,
      network: receipt.network,
      asset: receipt.asset,
      payTo: receipt.payTo,
      host: new URL(receipt.url).host,
      decimals: getAsset({ network: receipt.network, address: receipt.asset, assets: registry })
        ?.decimals,
    })
  }

  function locked<result>(id: string, run: () => Promise<result>): Promise<result> {
    const previous = locks.get(id) ?? Promise.resolve()
    const current = previous.then(run, run)
    const tail = current.catch(() => undefined)
    locks.set(id, tail)
    void tail.then(() => {
      if (locks.get(id) === tail) locks.delete(id)
    })
    return current
  }

  async function record(receipt: Receipt, reservation?: Reservation | undefined) {
    const id = purchaseOf(receipt)
    const entry = book.get(id)
    // A receipt of an unnamed call is kept only while it may still be spent.
    // Money stays held only while the purchase is indeterminate.
    const held =
      receipt.status === 'indeterminate' ? (reservation ?? entry?.reservation) : undefined
    if (receipt.purchase !== undefined || receipt.status === 'indeterminate')
      book.set(id, { receipt, reservation: held })
    else book.delete(id)
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
   * the server asked; `accepted` still echoes the server's requirement verbatim. A purchase's id
   * goes into the `payment-identifier` extension when the server declares it.
   */
  async function sign(
    challenge: Challenge,
    authorization: Authorization,
    identity: PurchaseIdentity | undefined,
  ): Promise<{ signed: PaymentPayload | PaymentPayloadV1; paymentId: string | undefined }> {
    const { candidate, validForSeconds } = authorization
    if (challenge.x402Version === 1) {
      const original = candidate.original as PaymentRequirementsV1
      const signed = await createPaymentPayload(account, {
        paymentRequired: challenge.paymentRequired,
        requirements: { ...original, maxTimeoutSeconds: validForSeconds },
        assets: registry,
      })
      return { signed, paymentId: undefined }
    }
    const original = candidate.original as PaymentRequirements
    const declared = challenge.paymentRequired.extensions?.[paymentIdentifierKey] as
      | { info?: Record<string, unknown> }
      | undefined
    const paymentId = identity && declared ? identity.paymentId : undefined
    const signed = await createPaymentPayload(account, {
      paymentRequired: challenge.paymentRequired,
      requirements: { ...original, maxTimeoutSeconds: validForSeconds },
      assets: registry,
      ...(paymentId !== undefined
        ? {
            extensions: {
              [paymentIdentifierKey]: { ...declared, info: { ...declared?.info, id: paymentId } },
            },
          }
        : {}),
    })
    return { signed: { ...signed, accepted: original }, paymentId }
  }

  function paymentHeader(signed: PaymentPayload | PaymentPayloadV1): Record<string, string> {
    return signed.x402Version === 1
      ? { [headerNames.xPayment]: encodeXPaymentHeader(signed) }
      : { [headerNames.paymentSignature]: encodePaymentSignatureHeader(signed) }
  }

  /**
   * Signs one payment for the challenge and sends the request with it to `url`, the URL that
   * answered the challenge. The paid request never follows a redirect itself: see `follow`.
   */
  async function pay(
    request: PreparedRequest,
    challenge: Challenge,
    {
      url,
      preemptive: isPreemptive,
      identity,
      resigned,
    }: {
      url: URL
      preemptive: boolean
      identity: PurchaseIdentity | undefined
      resigned: ResignReason | undefined
    },
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
    let paymentId: string | undefined
    try {
      ;({ signed, paymentId } = await sign(challenge, authorization, identity))
    } catch (error) {
      authorization.abandon()
      throw error
    }
    const base: Receipt = {
      id: crypto.randomUUID(),
      ...(identity ? { purchase: identity.id } : {}),
      ...(paymentId !== undefined ? { paymentId } : {}),
      ...(resigned ? { resigned } : {}),
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
      payer: authorizationOf(signed)?.from ?? '',
      preemptive: isPreemptive,
      at: now(),
      settlement: undefined,
      transaction: undefined,
      status: 'indeterminate',
      disputed: undefined,
      responseStatus: undefined,
    }
    if (identity && receipts) {
      // Written ahead: a process killed while the payment is in flight finds it on restart, and
      // re-sends it instead of signing another. Without this record the purchase is not paid.
      try {
        await receipts.append(base)
      } catch (error) {
        authorization.abandon()
        throw error
      }
      book.set(identity.id, { receipt: base, reservation })
    }
    const { response, receipt } = await exchange(request, url, base, reservation, {
      onRefusal: () => authorization.recordRefusal(),
    })
    return { response, receipt, candidate }
  }

  /**
   * Sends the request with a receipt's signed payment and records what the answer shows. Shared by
   * a first payment and a purchase's retry (the same authorization again).
   */
  async function exchange(
    request: PreparedRequest,
    url: URL,
    base: Receipt,
    reservation: Reservation,
    { onRefusal, wasSettled = false }: { onRefusal?: () => void; wasSettled?: boolean },
  ): Promise<{ response: ResponseLike; receipt: Receipt }> {
    let response: ResponseLike
    try {
      response = await send(url.href, {
        ...request.init(paymentHeader(base.signed)),
        redirect: 'manual',
      })
    } catch (error) {
      // The payment may have reached the server; only a refused connection proves it did not.
      // A purchase settled before stays settled: nothing new to record.
      if (wasSettled) throw error
      const sent = !neverSent(error)
      if (!sent) reservation.release()
      await record(
        {
          ...base,
          status: sent ? 'indeterminate' : 'refused',
          disputed: sent ? 'no-response' : undefined,
          responseStatus: undefined,
        },
        reservation,
      )
      throw error
    }

    const settlement = readSettlement(response, base.x402Version)
    let { status, disputed } = outcome(response.status, settlement)
    let reconciled: Receipt['reconciled']
    let transaction = settlement.present ? settlement.response?.transaction || undefined : undefined
    if (response.status === 402) onRefusal?.()
    if (wasSettled && status !== 'settled') {
      // Paid before: a 402 (or any answer) to the same authorization does not unpay it.
      status = 'settled'
      disputed = response.status >= 400 ? 'not-delivered' : undefined
      transaction = base.transaction
    } else if (response.status === 402 && status !== 'settled' && !isPending(settlement)) {
      // A refusal is believed only when the chain shows the authorization unspent.
      const finding = await inspect({ ...base, status, disputed })
      if (finding?.finding === 'spent') {
        status = 'settled'
        disputed = 'not-delivered'
        transaction = finding.transaction ?? transaction
      } else if (finding?.finding === 'unspent-valid' || finding?.finding === 'unspent-expired')
        status = 'refused'
      if (finding) reconciled = { by: finding.by, finding: finding.finding, at: now() }
    }
    if (status === 'settled') reservation.commit()
    else if (status === 'refused') reservation.release()
    // An indeterminate payment keeps its reservation: it may have been spent.
    const settled = settlement.present ? settlement.response : undefined
    const receipt: Receipt = {
      ...base,
      ...(reconciled ? { reconciled } : {}),
      settlement: settled ?? (wasSettled ? base.settlement : undefined),
      transaction,
      status,
      disputed,
      responseStatus: response.status,
    }
    receiptsByResponse.set(response, receipt)
    const changed =
      !wasSettled ||
      receipt.responseStatus !== base.responseStatus ||
      receipt.disputed !== base.disputed
    if (changed) await record(receipt, reservation)
    const delivered = await follow(request, url, response)
    receiptsByResponse.set(delivered, receipt)
    return { response: delivered, receipt }
  }

  async function inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined> {
    try {
      return await inspector.inspect(receipt)
    } catch (error) {
      publish(diagnosticChannels.error, { error, receipt, stage: 'reconcile' })
      return undefined
    }
  }

  /**
   * Applies what was found about an entry's authorization: spent is `settled` (`not-delivered`
   * when no paid content came), unspent and expired is `refused`; the rest changes nothing.
   */
  async function settleFate(entry: Entry, finding: AuthorizationFinding | undefined) {
    const { receipt } = entry
    if (!finding || receipt.status === 'settled') return
    const reconciled = { by: finding.by, finding: finding.finding, at: now() }
    if (finding.finding === 'spent') {
      const reservation = entry.reservation ?? hold(receipt)
      reservation.commit()
      const delivered = receipt.responseStatus !== undefined && receipt.responseStatus < 400
      await record(
        {
          ...receipt,
          status: 'settled',
          transaction: receipt.transaction ?? finding.transaction,
          disputed: delivered ? receipt.disputed : 'not-delivered',
          reconciled,
        },
        undefined,
      )
    } else if (finding.finding === 'unspent-expired') {
      entry.reservation?.release()
      await record({ ...receipt, status: 'refused', reconciled }, undefined)
    }
  }

  /**
   * Looks up an indeterminate entry's authorization and applies the finding. Resolves with what
   * was looked up (`finding` is `undefined` when nothing could tell), or `undefined` when nothing
   * was: the entry was not indeterminate.
   */
  async function reconcileEntry(
    entry: Entry,
  ): Promise<{ finding: AuthorizationFinding | undefined } | undefined> {
    if (entry.receipt.status !== 'indeterminate') return undefined
    const finding = await inspect(entry.receipt)
    await settleFate(entry, finding)
    return { finding }
  }

  /** The seconds an entry's authorization can still be spent, by the local clock. */
  function secondsLeft(receipt: Receipt): number {
    const authorization = authorizationOf(receipt.signed)
    if (!authorization) return 0
    return Number(authorization.validBefore) - Math.floor(now() / 1000)
  }

  /**
   * Why a purchase's authorization may be replaced by a new one, or `undefined` if it may not.
   * `looked` is what this call already looked up about it (`reconcileEntry`): not looked up again.
   */
  async function replacement(
    entry: Entry,
    looked: { finding: AuthorizationFinding | undefined } | undefined,
  ): Promise<ResignReason | undefined> {
    const { receipt } = entry
    if (receipt.cancellation !== undefined) return 'cancelled'
    if (receipt.status === 'settled') return undefined
    // Refused before anything reached a server: the authorization never left.
    if (
      receipt.status === 'refused' &&
      receipt.responseStatus === undefined &&
      receipt.reconciled === undefined
    )
      return 'never-sent'
    if (secondsLeft(receipt) > resendMarginSeconds) return undefined
    // Unspent and expired is final: the authorization can never be spent.
    if (receipt.reconciled?.finding === 'unspent-expired') return 'expired-unspent'
    const finding = looked ? looked.finding : await inspect(receipt)
    if (finding?.finding === 'spent') {
      await settleFate(entry, finding)
      return undefined
    }
    if (finding?.finding !== 'unspent-expired') return undefined
    if (receipt.status === 'indeterminate') await settleFate(entry, finding)
    return 'expired-unspent'
  }

  /** A call of a named purchase: the first payment, or a retry of the one made before. */
  async function purchase(request: PreparedRequest, identity: PurchaseIdentity) {
    const entry = book.get(identity.id)
    if (!entry) return payFresh(request, identity, undefined)
    // Learn what can be learnt first: a retry is when an indeterminate purchase is reconciled.
    const looked = await reconcileEntry(entry)
    const current = book.get(identity.id) ?? entry
    const reason = await replacement(current, looked)
    if (reason !== undefined) return payFresh(request, identity, reason)
    const latest = book.get(identity.id) ?? current
    if (latest.receipt.status !== 'settled' && secondsLeft(latest.receipt) <= resendMarginSeconds)
      throw new PurchaseIndeterminateError({
        purchase: identity.id,
        reason: inspector.canProve(latest.receipt.network)
          ? 'its authorization expired and is not proven unspent'
          : `its authorization expired and no chain is configured for ${latest.receipt.network} to prove it unspent`,
      })
    return resend(request, latest)
  }

  /** Sends a purchase's signed authorization again, to the URL it paid. */
  async function resend(request: PreparedRequest, entry: Entry) {
    if (!request.replayable) throw new BodyNotReplayableError({ limit: maxBufferedBodyBytes })
    const { receipt } = entry
    const wasSettled = receipt.status === 'settled'
    // Money is held again for an authorization that was refused and is sent anew.
    if (!entry.reservation && !wasSettled) entry.reservation = hold(receipt)
    const reservation = entry.reservation ?? settledReservation
    const { response } = await exchange(request, new URL(receipt.url), receipt, reservation, {
      wasSettled,
    })
    return response
  }

  /** A purchase's first payment (or a new one replacing an authorization that can no longer pay). */
  async function payFresh(
    request: PreparedRequest,
    identity: PurchaseIdentity | undefined,
    resigned: ResignReason | undefined,
  ) {
    const key = cache && challengeKey(request.method, request.url)
    const cached = key === undefined ? undefined : cache?.get(key, now())
    if (key !== undefined && cached) {
      const attempt = await pay(request, cached, {
        url: request.url,
        preemptive: true,
        identity,
        resigned,
      })
      // Only a payment proven refused (a 402, the authorization unspent) may be replaced, once:
      // the new challenge passes every rule again, and counts toward the route's limits.
      if (attempt.receipt.status !== 'refused' || attempt.response.status !== 402)
        return attempt.response
      cache?.delete(key)
      const challenge = await readChallenge(attempt.response, request.url)
      if (!challenge) return attempt.response
      return payChallenge(
        request,
        attempt.response,
        challenge,
        key,
        request.url,
        identity,
        resigned,
      )
    }

    // The unpaid request follows redirects as the caller asked: it carries no payment.
    const response = await send(request.url.href, request.init())
    if (response.status !== 402) return response
    const answeredBy = responseUrl(response, request.url)
    const challenge = await readChallenge(response, answeredBy)
    if (!challenge) return response
    return payChallenge(request, response, challenge, key, answeredBy, identity, resigned)
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
    identity: PurchaseIdentity | undefined,
    resigned: ResignReason | undefined,
  ) {
    await discard(unpaid)
    if (!request.replayable) throw new BodyNotReplayableError({ limit: maxBufferedBodyBytes })
    const received = now()
    const { response, receipt, candidate } = await pay(request, challenge, {
      url,
      preemptive: false,
      identity,
      resigned,
    })
    // Only a route answered where it was asked is paid ahead of its 402 next time.
    if (cache && key && receipt.status === 'settled' && url.href === request.url.href) {
      const expiresAt = received + candidate.requirements.maxTimeoutSeconds * 1000
      cache.set(key, narrowChallenge(challenge, candidate.index), expiresAt)
    }
    return response
  }

  async function fetchWithPayment(input: unknown, init?: Record<string, unknown>) {
    let options = init
    let named: PurchaseInit['purchase']
    if (init && 'purchase' in init) {
      const { purchase: given, ...rest } = init
      named = given as PurchaseInit['purchase']
      options = rest
    }
    const request = await prepareRequest(input, options, { maxBufferedBodyBytes })
    // The caller pays by hand: adding a second payment could charge the call twice. Its payment
    // header does not follow a redirect either.
    if (
      request.headers.has(headerNames.paymentSignature) ||
      request.headers.has(headerNames.xPayment)
    ) {
      const response = await send(request.url.href, { ...request.init(), redirect: 'manual' })
      return follow(request, request.url, response)
    }
    const identity = readPurchaseIdentity(named, request.headers)
    if (identity) {
      await load()
      return locked(identity.id, () => purchase(request, identity))
    }
    // Reservations of a log's indeterminate purchases count before anything new is paid.
    await load().catch((error: unknown) =>
      publish(diagnosticChannels.error, { error, stage: 'receipt-log' }),
    )
    return payFresh(request, undefined, undefined)
  }

  async function latest(id: string) {
    await load()
    return book.get(id)
  }

  const purchases: Purchases = {
    async list() {
      // The call that reads the log first lists what it read; later calls read it anew.
      const first = loaded === undefined
      const read = await load()
      if (!receipts) return [...book.values()].map((entry) => entry.receipt)
      return first ? [...read] : latestByPurchase(await receipts.list())
    },
    async get(id) {
      return (await latest(id))?.receipt
    },
    async reconcile(id) {
      await load()
      const ids =
        id === undefined
          ? [...book]
              .filter(([, entry]) => entry.receipt.status === 'indeterminate')
              .map(([k]) => k)
          : [id]
      const results: Receipt[] = []
      for (const key of ids)
        await locked(key, async () => {
          const entry = book.get(key)
          if (!entry) throw new PurchaseNotFoundError({ purchase: key })
          await reconcileEntry(entry)
          results.push((book.get(key) ?? entry).receipt)
        })
      return results
    },
    async cancel(id, { walletClient }) {
      await load()
      return locked(id, async () => {
        const entry = book.get(id)
        if (!entry) throw new PurchaseNotFoundError({ purchase: id })
        const { receipt } = entry
        if (receipt.cancellation !== undefined) return receipt
        let hash: string
        try {
          hash = await cancelAuthorization(account, { receipt, walletClient, assets: registry })
        } catch (error) {
          // Most likely spent already: record what the chain says, then report the failure.
          await settleFate(entry, await inspect(receipt))
          throw error
        }
        entry.reservation?.release()
        const cancelled: Receipt = {
          ...receipt,
          status: 'refused',
          cancellation: hash,
          reconciled: { by: 'cancellation', finding: 'cancelled', at: now() },
        }
        await record(cancelled, undefined)
        return cancelled
      })
    },
  }

  return Object.assign(fetchWithPayment, { purchases })
}

/** Standing in for the reservation of a purchase settled before: nothing left to hold. */
const settledReservation: Reservation = { commit() {}, release() {} }

/**
 * The status says what the server claims, `disputed` whether the claim leaves the agent exposed:
 * - a successful settlement header: settled (disputed when the answer is an error: nothing was
 *   delivered for the money);
 * - a pending settlement: indeterminate (the transaction may still land);
 * - a 402 with a failed settlement header, or without one: indeterminate on the server's word
 *   alone; `exchange` makes it `refused` when the chain shows the authorization unspent;
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
  if (isPending(settlement)) return { status: 'indeterminate', disputed: undefined }
  return {
    status: 'indeterminate',
    disputed: response
      ? 'settlement-failed'
      : settlement.present
        ? 'settlement-unreadable'
        : 'settlement-missing',
  }
}

/** A `settlement_pending` answer: not a refusal, the transfer may land; reconciled later. */
function isPending(settlement: Settlement): boolean {
  return settlement.present && settlement.response?.errorReason === reasons.settlementPending
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
