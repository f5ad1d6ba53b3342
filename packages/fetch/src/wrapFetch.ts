import type { PaymentPayload, PaymentPayloadV1 } from '@tollgate/core'
import { headerNames } from '@tollgate/core'
import type { Asset, CancelAuthorizationErrorType, SignAuthorizationErrorType } from '@tollgate/evm'
import { getAsset, assets as registryAssets } from '@tollgate/evm'
import type { Account, Chain, Transport, WalletClient } from 'viem'
import type { ResponseLike } from './challenge.js'
import { discard, readChallenge, readSettlement } from './challenge.js'
import { challengeKey, createChallengeCache, narrowChallenge } from './challengeCache.js'
import { diagnosticChannels, publish } from './diagnostics.js'
import type {
  BudgetExceededError,
  InvalidPolicyError,
  PolicyRefusedError,
  RateLimitedError,
} from './errors/policy.js'
import { PurchaseIndeterminateError, PurchaseNotFoundError } from './errors/purchase.js'
import type { InvalidReceiptError, InvalidReceiptLogError } from './errors/receiptLog.js'
import type {
  InvalidBodyError,
  InvalidChallengeError,
  InvalidPurchaseError,
  RedirectRefusedError,
} from './errors/request.js'
import { BodyNotReplayableError } from './errors/request.js'
import type { Send } from './pay/followRedirect.js'
import { followRedirect, responseUrl } from './pay/followRedirect.js'
import { isPending, neverSent, outcome } from './pay/outcome.js'
import { paymentHeader, signPayment } from './pay/signPayment.js'
import type { Reservation } from './policy/budget.js'
import type { Challenge } from './policy/candidate.js'
import type { Policy, PolicyParameters } from './policy/createPolicy.js'
import { createPolicy, isPolicy, policyEngine } from './policy/createPolicy.js'
import { cancelReceipt } from './purchases/cancelReceipt.js'
import type { AuthorizationFinding, ReconcileParameters } from './purchases/inspectAuthorization.js'
import { authorizationOf, createInspector } from './purchases/inspectAuthorization.js'
import type { PurchaseIdentity, PurchaseInit } from './purchases/purchaseIdentity.js'
import { readPurchaseIdentity } from './purchases/purchaseIdentity.js'
import { latestByPurchase } from './receipts/listPurchases.js'
import type { Receipt, ResignReason } from './receipts/receipt.js'
import { purchaseOf } from './receipts/receipt.js'
import type { ReceiptLog } from './receipts/receiptLog.js'
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
  const {
    account,
    receipts,
    onReceipt,
    assets = [],
    preemptive = false,
    maxBufferedBodyBytes = 1_048_576,
    reconcile: reconcileParameters = {},
  } = parameters
  const policy = policyEngine(
    isPolicy(parameters.policy) ? parameters.policy : createPolicy(parameters.policy ?? {}),
  )
  const now = policy.now
  const registry: readonly Asset[] = [...assets, ...registryAssets]
  const cache = preemptive ? createChallengeCache() : undefined
  const send: Send = (input, init) => ((fetch ?? globalThis.fetch) as unknown as Send)(input, init)
  const inspector = createInspector(reconcileParameters, {
    send,
    onError: (error, receipt) =>
      publish(diagnosticChannels.error, { error, receipt, stage: 'reconcile' }),
  })

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
    const decision = policy.decide({ ...parameters, prepared })
    const { candidate, reservation } = decision
    let signed: PaymentPayload | PaymentPayloadV1
    let paymentId: string | undefined
    try {
      ;({ signed, paymentId } = await signPayment(account, {
        challenge,
        decision,
        identity,
        assets: registry,
        now,
      }))
    } catch (error) {
      decision.abandon()
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
        decision.abandon()
        throw error
      }
      book.set(identity.id, { receipt: base, reservation })
    }
    const { response, receipt } = await exchange(request, url, base, reservation, {
      onRefusal: () => decision.recordRefusal(),
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
      // A refusal is believed only when the chain shows the authorization unspent (or cancelled:
      // it can then never be spent).
      const finding = await inspect({ ...base, status, disputed, transaction })
      if (finding?.finding === 'spent') {
        status = 'settled'
        disputed = 'not-delivered'
        transaction = finding.transaction ?? transaction
      } else if (finding && refusedFindings.has(finding.finding)) status = 'refused'
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
    const delivered = await followRedirect(send, { request, url, response })
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
   * when no paid content came), unspent and expired or cancelled is `refused`; the rest changes
   * nothing. Resolves with the entry's record after it (the one before when nothing changed).
   */
  async function settleFate(
    entry: Entry,
    finding: AuthorizationFinding | undefined,
  ): Promise<Receipt> {
    const { receipt } = entry
    if (!finding || receipt.status === 'settled') return receipt
    const reconciled = { by: finding.by, finding: finding.finding, at: now() }
    if (finding.finding === 'spent') {
      const reservation = entry.reservation ?? hold(receipt)
      reservation.commit()
      const delivered = receipt.responseStatus !== undefined && receipt.responseStatus < 400
      const settled: Receipt = {
        ...receipt,
        status: 'settled',
        transaction: receipt.transaction ?? finding.transaction,
        disputed: delivered ? receipt.disputed : 'not-delivered',
        reconciled,
      }
      await record(settled, undefined)
      return settled
    }
    if (finding.finding === 'unspent-expired' || finding.finding === 'cancelled') {
      entry.reservation?.release()
      const refused: Receipt = { ...receipt, status: 'refused', reconciled }
      await record(refused, undefined)
      return refused
    }
    return receipt
  }

  /**
   * Looks up an indeterminate entry's authorization and applies the finding. Resolves with what
   * was looked up (`finding` is `undefined` when nothing could tell) and the record it left, or
   * `undefined` when nothing was: the entry was not indeterminate.
   */
  async function reconcileEntry(
    entry: Entry,
  ): Promise<{ finding: AuthorizationFinding | undefined; receipt: Receipt } | undefined> {
    if (entry.receipt.status !== 'indeterminate') return undefined
    const finding = await inspect(entry.receipt)
    return { finding, receipt: await settleFate(entry, finding) }
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
    if (receipt.cancellation !== undefined || receipt.reconciled?.finding === 'cancelled')
      return 'cancelled'
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
    if (finding?.finding === 'cancelled') {
      if (receipt.status === 'indeterminate') await settleFate(entry, finding)
      return 'cancelled'
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
      return followRedirect(send, { request, url: request.url, response })
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
          // An unnamed call's record leaves the book once settled or refused: keep what it became.
          const looked = await reconcileEntry(entry)
          results.push(looked?.receipt ?? entry.receipt)
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
          hash = await cancelReceipt(account, { receipt, walletClient, assets: registry })
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

/** Findings that prove an authorization was not charged (and, but for `unspent-valid`, never will be). */
const refusedFindings = new Set<AuthorizationFinding['finding']>([
  'unspent-valid',
  'unspent-expired',
  'cancelled',
])
