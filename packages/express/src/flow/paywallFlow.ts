import {
  agentReferenceKey,
  agentRegistrationPath,
  encodePaymentResponseHeader,
  type FacilitatorRequest,
  headerNames,
  isSettlementPending,
  type PaymentRequirements,
  paymentIdentifierKey,
  type SettlementMode,
  type SettleResponse,
  toV1Network,
  type VerifyResponse,
} from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import {
  facilitatorFailureKind,
  facilitatorFailureReason,
  type PaywallFailureKind,
  statusOf,
  UnsupportedSettlementModeError,
  verifyFailureKind,
} from '../errors.js'
import { type PaywallPageRenderer, renderPaywallPage } from '../paywall/page.js'
import { paywallReasons } from '../reasons.js'
import { agentRegistrationResponse, type PaywallAgent, resolveAgentOption } from './agent.js'
import { buildChallenge, buildErrorResponse } from './challenge.js'
import {
  type CorsConfig,
  corsResponseHeaders,
  exposedHeaders,
  mergeHeaderList,
  preflightResponse,
  resolveCors,
} from './cors.js'
import {
  type FailedEvent,
  type FailureStage,
  type PaywallHooks,
  paywallChannels,
  publish,
  runHook,
} from './events.js'
import { settlePayment, verifyPayment } from './facilitate.js'
import {
  createIdempotencyCache,
  declarePaymentIdentifier,
  type IdempotencyConfig,
  readPaymentIdentifier,
} from './idempotency.js'
import { createReport, type PaywallLogger } from './logger.js'
import { createOutstandingPayments, type OutstandingPayment } from './outstanding.js'
import {
  type DecodedPayment,
  decodePayment,
  isRejection,
  matchAccepted,
  matchV1,
  readPaymentHeader,
} from './payment.js'
import { authorizationKey, createReplayGuard, validBeforeMs } from './replayGuard.js'
import type {
  HeldResponse,
  PaywallRequest,
  PaywallResponder,
  PaywallResponse,
  ResponseHeaders,
} from './request.js'
import {
  getRequirements,
  getResource,
  type ResolvedRoute,
  type Routes,
  resolveRoute,
  toV1Requirement,
} from './requirements.js'
import { compileRoutePattern, matchRoute, type RouteMatch, type RoutePattern } from './routes.js'
import { createSettlementModes } from './settlementModes.js'

/** The parameters of a paywall, whatever the framework. */
export type PaywallFlowParameters<raw = unknown> = {
  /** The priced routes; a request no key matches passes through untouched. */
  routes: Routes<raw>
  /** Tokens to know besides the built-in USDC registry (decimals, symbol, EIP-712 domain). */
  assets?: readonly Asset[] | undefined
  hooks?: PaywallHooks<raw> | undefined
  /** The HTML page for browsers (`Accept: text/html`); `false` answers them with JSON too. @default the built-in page */
  paywallPage?: false | PaywallPageRenderer | undefined
  /** CORS for priced routes; `false` leaves CORS to the app. @default { origin: '*' } */
  cors?: boolean | CorsConfig | undefined
  /** Largest payment header accepted, in bytes of base64. @default 16384 */
  maxHeaderBytes?: number | undefined
  /** Payment-identifier idempotency; `false` turns it off. @default {} (optional identifier) */
  idempotency?: false | IdempotencyConfig | undefined
  /**
   * Where facilitator faults, failed settlements, refused settlement modes and throwing hooks or
   * price functions are reported, as plain text without secrets (no payment signatures, keys or
   * credentials); `false` reports nothing (the diagnostics channels still carry every event).
   * @default the console (`console.warn`, `console.error`)
   */
  logger?: PaywallLogger | false | undefined
  /**
   * The clock of every store (replays, outstanding payments, idempotent responses), in
   * milliseconds since the Unix epoch. @default Date.now
   */
  now?: (() => number) | undefined
  /**
   * The provider's ERC-8004 agent identity: named in every 402 (`extensions.erc8004`, in the v2
   * header and the v1 body) so a payer can check `payTo` against the agent's verified wallet, and
   * proven by serving `GET /.well-known/agent-registration.json`.
   */
  agent?: PaywallAgent | undefined
}

/** The framework-free paywall an adapter drives. */
export type PaywallFlow<raw = unknown> = {
  /** The priced route of a request, or `undefined` (pass through). */
  match(method: string, path: string): RouteMatch<ResolvedRoute<raw>> | undefined
  /** The answer to a CORS preflight for a priced route, or `undefined` (pass through). */
  preflight(parameters: {
    path: string
    origin: string | undefined
    requestMethod: string | undefined
    requestHeaders: string | undefined
  }): PaywallResponse | undefined
  /**
   * The answer to a request for the agent's registration file (`GET`/`HEAD` of the well-known
   * path), or `undefined` (pass through).
   */
  wellKnown(method: string, path: string): Promise<PaywallResponse> | undefined
  /**
   * Checks every route's `settlement` mode against the facilitator's `/supported`; rejects with
   * `UnsupportedSettlementModeError`, or the error of `/supported`.
   */
  ready(): Promise<void>
  /** Handles a request to a priced route: challenge, or verify + handler + settle. */
  handle(
    request: PaywallRequest<raw>,
    responder: PaywallResponder,
    match: RouteMatch<ResolvedRoute<raw>>,
  ): Promise<void>
}

/** Resolves the options once (routes checked, stores created) and returns the flow. */
export function createPaywallFlow<raw>(
  facilitator: FacilitatorClient,
  options: PaywallFlowParameters<raw>,
): PaywallFlow<raw> {
  const {
    routes,
    assets,
    hooks = {},
    paywallPage = renderPaywallPage,
    maxHeaderBytes = 16_384,
    idempotency = {},
    now = Date.now,
  } = options
  const report = createReport(options.logger)
  const table: { pattern: RoutePattern; route: ResolvedRoute<raw> }[] = Object.entries(routes).map(
    ([key, config]) => ({
      pattern: compileRoutePattern(key),
      route: resolveRoute(key, config, { assets }),
    }),
  )
  const agent = options.agent === undefined ? undefined : resolveAgentOption(options.agent)
  const cors = resolveCors(options.cors)
  const guard = createReplayGuard({ now })
  const outstanding = createOutstandingPayments({ now })
  const cache = idempotency === false ? undefined : createIdempotencyCache({ ...idempotency, now })
  const modes = createSettlementModes(facilitator, {
    routes: table.map((entry) => entry.route),
    report,
  })
  // The agent goes in the v1 body too (a top-level `extensions`, which legacy clients ignore);
  // payment-identifier is v2 only.
  const agentExtensions = agent && { [agentReferenceKey]: agent.extension }
  const extensions = {
    ...(idempotency === false
      ? {}
      : { [paymentIdentifierKey]: declarePaymentIdentifier(idempotency.required ?? false) }),
    ...agentExtensions,
  }

  function applyCors(request: PaywallRequest<raw>, responder: PaywallResponder) {
    if (!cors) return
    const { allowOrigin, credentials, vary } = corsResponseHeaders(cors, request.header('origin'))
    // An app-level CORS middleware that ran first wins; the x402 headers are added to its list.
    if (
      allowOrigin !== undefined &&
      responder.getHeader('Access-Control-Allow-Origin') === undefined
    ) {
      responder.setHeader('Access-Control-Allow-Origin', allowOrigin)
      if (credentials) responder.setHeader('Access-Control-Allow-Credentials', 'true')
      if (vary)
        responder.setHeader('Vary', mergeHeaderList(responder.getHeader('Vary'), ['Origin']))
    }
    responder.setHeader(
      'Access-Control-Expose-Headers',
      mergeHeaderList(responder.getHeader('Access-Control-Expose-Headers'), exposedHeaders),
    )
  }

  async function handle(
    request: PaywallRequest<raw>,
    responder: PaywallResponder,
    { route }: RouteMatch<ResolvedRoute<raw>>,
  ): Promise<void> {
    applyCors(request, responder)

    let accepts: PaymentRequirements[]
    try {
      accepts = await getRequirements(route, request, assets)
    } catch (error) {
      report('error', 'a price function failed', { route: route.key, error })
      responder.send(
        buildErrorResponse({
          status: statusOf('server_error'),
          error: paywallReasons.priceUnavailable,
          message: 'The price of this resource could not be computed.',
        }),
      )
      return
    }
    const resource = getResource(route, request.url)

    /** A challenge (402/412) or a JSON error, by kind, with the status chosen in `errors.ts`. */
    const answer = (
      kind: PaywallFailureKind,
      error: string,
      message: string,
      headers?: ResponseHeaders | undefined,
      page?: boolean,
    ): PaywallResponse => {
      const status = statusOf(kind)
      if (
        kind === 'payment_required' ||
        kind === 'precondition_required' ||
        kind === 'settlement_failed'
      )
        return buildChallenge({
          accepts,
          resource,
          error,
          message,
          extensions,
          v1Extensions: agentExtensions,
          outputSchema: route.outputSchema,
          status,
          headers,
          page: page && paywallPage ? { render: paywallPage, assets } : undefined,
        })
      return buildErrorResponse({ status, error, message, headers })
    }

    const header = readPaymentHeader(request)
    if (!header) {
      publish(paywallChannels.challenge, () => ({ route: route.key, url: request.url }))
      responder.send(
        answer(
          'payment_required',
          paywallReasons.paymentRequired,
          'This resource requires payment.',
          undefined,
          wantsHtml(request),
        ),
      )
      return
    }

    const fail = async (
      stage: FailureStage,
      kind: PaywallFailureKind,
      reason: string,
      message: string,
      extra: Partial<FailedEvent<raw>> & { headers?: ResponseHeaders | undefined } = {},
    ) => {
      const { headers, ...event } = extra
      const response = answer(kind, reason, message, headers)
      responder.send(response)
      await failed({ ...event, stage, reason, status: response.status })
    }
    const failed = async (event: Omit<FailedEvent<raw>, 'request' | 'route'>): Promise<void> => {
      const full: FailedEvent<raw> = { request, route: route.key, ...event }
      publish(paywallChannels.failed, () => ({ ...full }))
      await runHook('onFailed', hooks.onFailed, full, report)
    }

    const decoded = decodePayment(header.value, { maxBytes: maxHeaderBytes })
    if (isRejection(decoded))
      return fail('decode', 'payment_required', decoded.reason, decoded.message)

    let candidates: PaymentRequirements[]
    if (decoded.x402Version === 2) {
      const matched = matchAccepted(decoded.payload, accepts)
      if (isRejection(matched))
        return fail('match', 'payment_required', matched.reason, matched.message, {
          x402Version: 2,
          paymentPayload: decoded.payload,
        })
      candidates = [matched]
    } else {
      const matched = matchV1(decoded.payload, decoded.authorization, accepts)
      if (isRejection(matched))
        return fail('match', 'payment_required', matched.reason, matched.message, {
          x402Version: 1,
          paymentPayload: decoded.payload,
        })
      candidates = matched
    }

    if (cache && decoded.x402Version === 2) {
      const id = readPaymentIdentifier(decoded.payload)
      if (id === null)
        return fail(
          'idempotency',
          'bad_request',
          paywallReasons.invalidPaymentIdentifier,
          'The payment identifier must be 16 to 128 characters of A-Z, a-z, 0-9, "_" or "-".',
        )
      if (id === undefined && idempotency !== false && idempotency.required)
        return fail(
          'idempotency',
          'bad_request',
          paywallReasons.paymentIdentifierRequired,
          'This resource requires a payment identifier (the payment-identifier extension).',
        )
      if (id !== undefined) {
        // A request with the same identifier still running is waited for, then replayed.
        for (let attempt = 0; attempt < 3; attempt++) {
          const slot = cache.claim(id, decoded.payload)
          if (slot.kind === 'conflict')
            return fail(
              'idempotency',
              'idempotency_conflict',
              paywallReasons.paymentIdentifierConflict,
              'This payment identifier was already used with a different payment.',
              { x402Version: 2, paymentPayload: decoded.payload },
            )
          if (slot.kind === 'replay') {
            responder.send(slot.response)
            return
          }
          if (slot.kind === 'wait') {
            await slot.done
            continue
          }
          let stored: PaywallResponse | undefined
          try {
            stored = await pay(decoded, candidates)
          } finally {
            slot.complete(stored)
          }
          return
        }
      }
    }
    await pay(decoded, candidates)

    /**
     * Verify, then settle and run the handler in the route's order, then send. Returns the paid
     * response to keep for payment-identifier replays (`undefined` when there is none).
     */
    async function pay(
      payment: DecodedPayment,
      candidates: readonly PaymentRequirements[],
    ): Promise<PaywallResponse | undefined> {
      const { x402Version, payload: paymentPayload, authorization } = payment
      const base = { x402Version, paymentPayload } as const
      const responseHeader =
        x402Version === 2 ? headerNames.paymentResponse : headerNames.xPaymentResponse
      const settlementHeader = (settlement: SettleResponse): ResponseHeaders => ({
        [responseHeader]: encodePaymentResponseHeader(forVersion(settlement, x402Version)),
      })
      const toFacilitator = (requirements: PaymentRequirements): FacilitatorRequest =>
        x402Version === 2
          ? { paymentPayload: payment.payload, paymentRequirements: requirements }
          : {
              paymentPayload: payment.payload,
              paymentRequirements: toV1Requirement(requirements, resource, route.outputSchema),
            }

      // The same signed payment again, for a purchase this process has not finished: finish it.
      for (const candidate of candidates) {
        const key = authorizationKey(candidate, authorization)
        const entry = outstanding.get(key)
        if (entry && entry.signature.toLowerCase() === authorization.signature.toLowerCase())
          return resume(key, entry)
      }

      // Cheap early answer for a replay of a payment already being served or settled.
      if (candidates.some((candidate) => guard.has(authorizationKey(candidate, authorization)))) {
        await fail('verify', 'payment_required', paywallReasons.duplicateSettlement, duplicate, {
          ...base,
          requirements: candidates[0],
        })
        return undefined
      }

      // What the route asks for must hold: checked before anything is verified or reserved.
      const mode = await settlementMode(candidates[0]!)
      if (mode === null) return undefined

      let verification: VerifyResponse | undefined
      let requirements = candidates[0]!
      for (const candidate of candidates) {
        requirements = candidate
        try {
          verification = await verifyPayment(facilitator, toFacilitator(candidate))
        } catch (error) {
          const kind = facilitatorFailureKind(error)
          report('warn', 'the facilitator failed to verify', { route: route.key, error })
          publish(paywallChannels.facilitatorError, () => ({ stage: 'verify', error }))
          await fail(
            'verify',
            kind,
            facilitatorFailureReason('verify'),
            'The payment facilitator could not verify the payment; nothing was charged.',
            { ...base, requirements, error, ...retryAfter(kind) },
          )
          return undefined
        }
        if (verification.isValid) break
      }
      if (!verification?.isValid) {
        const reason = verification?.invalidReason ?? paywallReasons.invalidPayload
        await fail(
          'verify',
          verifyFailureKind(reason),
          reason,
          verification?.invalidMessage ?? 'The payment did not verify.',
          { ...base, requirements },
        )
        return undefined
      }

      // One authorization, one request: the reservation is atomic within this process.
      const key = authorizationKey(requirements, authorization)
      if (!guard.reserve(key, validBeforeMs(authorization))) {
        await fail('verify', 'payment_required', paywallReasons.duplicateSettlement, duplicate, {
          ...base,
          requirements,
        })
        return undefined
      }
      const payer = verification.payer ?? authorization.authorization.from
      const event = { request, route: route.key, ...base, requirements, payer }
      publish(paywallChannels.verified, () => ({ ...event, verification }))
      await runHook('onVerified', hooks.onVerified, { ...event, verification }, report)

      if (route.order === 'settle-first') {
        const settlement = await settle(requirements, payer)
        if (!settlement) return undefined
        return serveSettled(key, requirements, settlement, payer)
      }

      const held = await responder.runHandler()
      if (held.aborted || held.status >= 400) {
        // Nothing is charged for a failed (or abandoned) response; the payment can be used again.
        guard.release(key)
        if (held.aborted) held.discard()
        else held.release()
        await failed({
          stage: 'handler',
          reason: held.aborted ? 'client_closed_request' : 'handler_failed',
          status: held.status,
          ...base,
          requirements,
        })
        return undefined
      }

      const settlement = await settle(requirements, payer, held)
      if (!settlement) return undefined
      held.release(settlementHeader(settlement))
      publish(paywallChannels.settled, () => ({ ...event, settlement }))
      await runHook('onSettled', hooks.onSettled, { ...event, settlement }, report)
      return withoutCors(held.snapshot())

      /**
       * The mode to settle in (`undefined`: the facilitator's default), or `null` once the client
       * has been answered: the facilitator cannot honour the route's mode (500), or its
       * `/supported` could not be read (502/503). Nothing is verified or charged then.
       */
      async function settlementMode(
        requirements: PaymentRequirements,
      ): Promise<SettlementMode | undefined | null> {
        try {
          return await modes.modeFor(route, requirements.network)
        } catch (error) {
          const failure = { ...base, requirements, error }
          if (error instanceof UnsupportedSettlementModeError) {
            await fail(
              'settlement-mode',
              'server_error',
              paywallReasons.settlementModeUnsupported,
              'The payment facilitator cannot settle this resource the way it requires; nothing was charged.',
              failure,
            )
            return null
          }
          const kind = facilitatorFailureKind(error)
          report('warn', 'the facilitator failed to say what it supports', {
            route: route.key,
            error,
          })
          publish(paywallChannels.facilitatorError, () => ({ stage: 'supported', error }))
          await fail(
            'settlement-mode',
            kind,
            facilitatorFailureReason('supported'),
            'The payment facilitator could not be asked what it supports; nothing was charged.',
            { ...failure, ...retryAfter(kind) },
          )
          return null
        }
      }

      /**
       * Settles (one retry on `settlement_pending`). On anything but success it answers the client
       * itself and returns `undefined`; the held response (serve-first) is withheld, and kept when
       * the outcome is pending so that re-sending this payment delivers it once it settles.
       */
      async function settle(
        requirements: PaymentRequirements,
        payer: string,
        held?: HeldResponse | undefined,
      ): Promise<SettleResponse | undefined> {
        const request = toFacilitator(requirements)
        let settlement: SettleResponse
        try {
          const mode = await modes.modeFor(route, requirements.network)
          settlement = await settlePayment(facilitator, request, mode)
        } catch (error) {
          // Whether the transfer happened is unknown: the reservation stays, so this authorization
          // is never served for another request, and the body is not sent now; it is kept, as for a
          // pending settlement, for the same payment sent again.
          if (held) keep(requirements, request, held)
          held?.discard()
          const kind = facilitatorFailureKind(error)
          report('warn', 'the facilitator failed to settle', { route: route.key, error })
          publish(paywallChannels.facilitatorError, () => ({ stage: 'settle', error }))
          const reason = facilitatorFailureReason('settle')
          const unknown: SettleResponse = {
            success: false,
            errorReason: reason,
            transaction: '',
            network: requirements.network,
            payer,
          } as SettleResponse
          await fail(
            'settle',
            kind,
            reason,
            'The payment facilitator failed while settling; the response is withheld.',
            {
              ...base,
              requirements,
              error,
              headers: { ...settlementHeader(unknown), ...retryAfter(kind).headers },
            },
          )
          return undefined
        }
        if (settlement.success) return settlement
        const pending = isSettlementPending(settlement)
        report('warn', pending ? 'a settlement is still pending' : 'a settlement failed', {
          route: route.key,
          network: requirements.network,
          payer,
          reason: settlement.errorReason,
          transaction: settlement.transaction,
          message: settlement.errorMessage,
        })
        if (pending && held) keep(requirements, request, held)
        // A definite failure: nothing is left to finish.
        else if (!pending) outstanding.delete(authorizationKey(requirements, authorization))
        held?.discard()
        const reason = settlement.errorReason ?? paywallReasons.unexpectedSettleError
        await fail(
          'settle',
          'settlement_failed',
          reason,
          pending
            ? 'The payment is not settled yet; send the same payment again to receive the response once it is.'
            : (settlement.errorMessage ??
                'The payment could not be settled; the response is withheld.'),
          { ...base, requirements, settlement, headers: settlementHeader(settlement) },
        )
        return undefined
      }

      /** Keeps a held response whose settlement outcome is not known yet. */
      function keep(
        requirements: PaymentRequirements,
        request: FacilitatorRequest,
        held: HeldResponse,
      ): void {
        outstanding.set(authorizationKey(requirements, authorization), {
          kind: 'pending',
          signature: authorization.signature,
          requirements,
          request,
          response: withoutCors(held.snapshot()),
        })
      }

      /**
       * Settle-first: the transfer is done; run the handler and send whatever it answers, with the
       * successful `PAYMENT-RESPONSE`. A failed handler keeps the payment: the same payment sent
       * again runs the handler again, without settling twice.
       */
      async function serveSettled(
        key: string,
        requirements: PaymentRequirements,
        settlement: SettleResponse,
        payer: string,
      ): Promise<PaywallResponse | undefined> {
        const held = await responder.runHandler()
        const event = { request, route: route.key, ...base, requirements, payer }
        if (held.aborted || held.status >= 400) {
          if (held.aborted) held.discard()
          else held.release(settlementHeader(settlement))
          outstanding.set(key, {
            kind: 'paid',
            signature: authorization.signature,
            requirements,
            settlement,
          })
          await failed({
            stage: 'handler',
            reason: held.aborted ? 'client_closed_request' : 'handler_failed',
            status: held.status,
            ...base,
            requirements,
            settlement,
          })
          return undefined
        }
        outstanding.delete(key)
        held.release(settlementHeader(settlement))
        publish(paywallChannels.settled, () => ({ ...event, settlement }))
        await runHook('onSettled', hooks.onSettled, { ...event, settlement }, report)
        return withoutCors(held.snapshot())
      }

      /** Finishes an outstanding purchase for a re-sent payment, one request at a time. */
      async function resume(
        key: string,
        entry: OutstandingPayment,
      ): Promise<PaywallResponse | undefined> {
        if (!outstanding.lock(key)) {
          await fail('verify', 'payment_required', paywallReasons.duplicateSettlement, duplicate, {
            ...base,
            requirements: entry.requirements,
          })
          return undefined
        }
        try {
          const payer = authorization.authorization.from
          if (entry.kind === 'paid')
            return await serveSettled(key, entry.requirements, entry.settlement, payer)
          const settlement = await settle(entry.requirements, payer)
          if (!settlement) return undefined
          outstanding.delete(key)
          const response: PaywallResponse = {
            ...entry.response,
            headers: { ...entry.response.headers, ...settlementHeader(settlement) },
          }
          responder.send(response)
          const event = { request, route: route.key, ...base, requirements: entry.requirements }
          publish(paywallChannels.settled, () => ({ ...event, payer, settlement }))
          await runHook('onSettled', hooks.onSettled, { ...event, payer, settlement }, report)
          return response
        } finally {
          outstanding.unlock(key)
        }
      }
    }
  }

  return {
    match(method, path) {
      return matchRoute(table, { method, path })
    },
    preflight({ path, origin, requestMethod, requestHeaders }) {
      if (!cors || !requestMethod) return undefined
      if (!matchRoute(table, { method: requestMethod, path })) return undefined
      return preflightResponse(cors, { origin, requestMethod, requestHeaders })
    },
    wellKnown(method, path) {
      if (!agent || (method !== 'GET' && method !== 'HEAD') || path !== agentRegistrationPath)
        return undefined
      return agentRegistrationResponse(agent, { method, cors: cors !== undefined }).catch(
        (error: unknown) => {
          report('error', 'the registration file could not be built', { error })
          return buildErrorResponse({
            status: statusOf('server_error'),
            error: paywallReasons.registrationUnavailable,
            message: 'The agent registration file could not be built.',
          })
        },
      )
    },
    ready: () => modes.ready(),
    handle,
  }
}

const duplicate = 'This payment authorization was already used for another request.'

/** `Retry-After` for a facilitator that is unavailable (503). */
function retryAfter(kind: PaywallFailureKind): { headers?: ResponseHeaders } {
  return kind === 'facilitator_unavailable' ? { headers: { 'Retry-After': '1' } } : {}
}

/** v1 clients read v1 network names in `X-PAYMENT-RESPONSE`. */
function forVersion(settlement: SettleResponse, x402Version: 1 | 2): SettleResponse {
  if (x402Version === 2) return settlement
  return { ...settlement, network: toV1Network(settlement.network) ?? settlement.network }
}

/** A browser navigating to the resource, not a script. */
function wantsHtml(request: PaywallRequest<unknown>): boolean {
  if (request.method !== 'GET') return false
  return (request.header('accept') ?? '').toLowerCase().includes('text/html')
}

/** A stored response is replayed to whoever sends the identifier: its CORS headers are per request. */
function withoutCors(response: PaywallResponse): PaywallResponse {
  const headers: ResponseHeaders = {}
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase()
    if (lower.startsWith('access-control-') || lower === 'vary') continue
    headers[name] = value
  }
  return { ...response, headers }
}
