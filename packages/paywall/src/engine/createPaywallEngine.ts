import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import { type PaywallAgent, type ResolvedAgentOption, resolveAgentOption } from '../agent.js'
import {
  type AgentConfigurationErrorType,
  PaywallStoreError,
  type RouteConfigurationErrorType,
} from '../errors.js'
import type { PaywallFailureKind } from '../failures.js'
import type { PaywallHooks } from '../hooks.js'
import type { IdempotencyConfig } from '../idempotency/createIdempotency.js'
import type { PaywallLogger } from '../logger.js'
import { type Offers, type ResolvedOffer, resolveOffer } from '../offer/resolveOffer.js'
import { getResource } from '../offer/resource.js'
import { matchPayment } from '../payment/match.js'
import { isRejection } from '../payment/parsePayment.js'
import { challenge } from '../stages/challenge.js'
import { idempotent } from '../stages/idempotent.js'
import { pay } from '../stages/pay.js'
import { priceCall } from '../stages/price.js'
import type { PaywallStore } from '../store/types.js'
import { refuse, storeUnavailable } from './answer.js'
import type { CallContext, Engine, PaymentContext } from './context.js'
import type { Outcome, PaidCall, ResultCodec } from './types.js'
import { wireEngine } from './wireEngine.js'

/** Parameters of {@link createPaywallEngine}. */
export type CreatePaywallEngineParameters<request, result> = {
  /** What is sold, by key (a route `"GET /report"`, a tool name). */
  offers: Offers<request>
  /** How the transport's results are kept in the store. */
  codec: ResultCodec<result>
  /** Tokens to know besides the built-in USDC registry (decimals, symbol, EIP-712 domain). */
  assets?: readonly Asset[] | undefined
  hooks?: PaywallHooks<request> | undefined
  /** Payment-identifier idempotency; `false` turns it off. @default {} (optional identifier) */
  idempotency?: false | IdempotencyConfig | undefined
  /**
   * Where facilitator faults, failed settlements, store failures and throwing hooks or price
   * functions are reported, as plain text without secrets; `false` reports nothing (the
   * diagnostics channels still carry every event). @default the console
   */
  logger?: PaywallLogger | false | undefined
  /** The clock of every store entry, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
  /** The provider's ERC-8004 agent identity, named in every challenge. */
  agent?: PaywallAgent | undefined
  /**
   * Where shared state lives: taken authorizations, payment-identifier answers, pending results,
   * settle-first payments and their locks. A store shared by several processes (Redis) makes them
   * one paywall. @default createMemoryStore({ now }) (this process only)
   */
  store?: PaywallStore | undefined
  /** The transport's status for each kind of answer, reported as `status` in failed events. */
  statusOf?: ((failure: PaywallFailureKind) => number) | undefined
}

/** The transport-free paywall: it prices, challenges, verifies, runs once, settles and answers. */
export type PaywallEngine<request, result> = {
  /** The offers, checked, in declaration order. */
  offers: readonly ResolvedOffer<request>[]
  /** The agent option, checked, when there is one. */
  agent: ResolvedAgentOption | undefined
  /** Decides a paid call: challenge, refusal, or the work run once and settled. */
  handle(call: PaidCall<request, result>): Promise<Outcome<result>>
  /**
   * Checks every offer's `settlement` mode against the facilitator's `/supported`; rejects with
   * `UnsupportedSettlementModeError`, or the error of `/supported`.
   */
  ready(): Promise<void>
}

/** What {@link createPaywallEngine} throws. */
export type CreatePaywallEngineErrorType = AgentConfigurationErrorType | RouteConfigurationErrorType

/**
 * The paywall engine a transport drives: it knows nothing of HTTP, MCP or A2A. A transport
 * describes each paid call (the offer, the decoded payment, how to run the work with its result
 * held back) and renders the {@link Outcome}. The offers and the agent are checked here.
 *
 * @example
 * ```ts
 * import { createPaywallEngine } from '@tollgate/paywall'
 *
 * const engine = createPaywallEngine(facilitator, {
 *   offers: { forecast: { price: '$0.01', payTo: '0xYourAddress', network: 'base-sepolia' } },
 *   codec: { keep: (result) => result, restore: (value) => value as ToolResult },
 * })
 * const outcome = await engine.handle({
 *   offer: engine.offers[0]!,
 *   request: call,
 *   resource: 'mcp://tool/forecast',
 *   payment: call.params._meta?.['x402/payment'] && parsePayment(call.params._meta['x402/payment']),
 *   run: async () => { const result = await forecast(call); return { ok: !result.isError, result } },
 * })
 * ```
 */
export function createPaywallEngine<request, result>(
  facilitator: FacilitatorClient,
  parameters: CreatePaywallEngineParameters<request, result>,
): PaywallEngine<request, result> {
  const { offers: configs, assets, idempotency = {}, now = Date.now } = parameters
  const offers = Object.entries(configs).map(([key, config]) =>
    resolveOffer(key, config, { assets }),
  )
  const agent = parameters.agent === undefined ? undefined : resolveAgentOption(parameters.agent)
  const engine = wireEngine(facilitator, parameters, { offers, agent, idempotency, now })
  return {
    offers,
    agent,
    handle: (call) => handle(engine, call),
    ready: () => engine.modes.ready(),
  }
}

/** Price, challenge or decode-check, then the payment (idempotent, failing closed on the store). */
async function handle<request, result>(
  engine: Engine<request, result>,
  call: PaidCall<request, result>,
): Promise<Outcome<result>> {
  const accepts = await priceCall(engine, call)
  if (!Array.isArray(accepts)) return accepts
  const context: CallContext<request, result> = {
    call,
    route: call.offer.key,
    accepts,
    resource: getResource(call.offer, call.resource),
  }
  const { payment } = call
  if (payment === undefined) return challenge(engine, context)
  if (isRejection(payment))
    return refuse(engine, context, { stage: 'decode', failure: 'payment_required', ...payment })
  const base = { x402Version: payment.x402Version, paymentPayload: payment.payload }
  const candidates = matchPayment(payment, accepts)
  if (isRejection(candidates))
    return refuse(engine, context, {
      stage: 'match',
      failure: 'payment_required',
      ...candidates,
      event: base,
    })
  const paid: PaymentContext<request, result> = { ...context, payment, candidates, base }
  try {
    return await idempotent(engine, paid, () => pay(engine, paid))
  } catch (error) {
    if (error instanceof PaywallStoreError) return storeUnavailable(engine, paid, error)
    throw error
  }
}
