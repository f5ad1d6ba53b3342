import type { PaymentPayload, PaymentRequired } from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { CallContext, Engine, PaymentContext } from '../src/engine/context.js'
import {
  type CreatePaywallEngineParameters,
  createPaywallEngine,
} from '../src/engine/createPaywallEngine.js'
import type { Held, PaidCall, ResultCodec } from '../src/engine/types.js'
import { wireEngine } from '../src/engine/wireEngine.js'
import { type Offers, type ResolvedOffer, resolveOffer } from '../src/offer/resolveOffer.js'
import { getResource } from '../src/offer/resource.js'
import { matchPayment } from '../src/payment/match.js'
import { isRejection, parsePayment } from '../src/payment/parsePayment.js'
import { buildPaymentRequired } from '../src/stages/challenge.js'

// A transport that is not HTTP: the work answers text, kept as it is. The engine's tests drive it
// the way an MCP or A2A transport would, so nothing in them leans on headers or statuses.

/** The result of the test transport's work. */
export type TextResult = { ok: boolean; text: string }

/** Text results are JSON already. */
export const textCodec: ResultCodec<TextResult> = {
  keep: (result) => ({ ...result }),
  restore: (value) => value as TextResult,
}

/** What a test call's `request` is: a name, for hooks and price functions to see. */
export type TestRequest = { name: string }

/** Work that counts its runs and answers what the test says. */
export function createWork(answer: () => TextResult | Promise<TextResult> = () => ok('paid')) {
  const work = {
    runs: 0,
    async run(): Promise<Held<TextResult>> {
      work.runs++
      const result = await answer()
      return { ok: result.ok, result }
    },
  }
  return work
}

/** A successful text result. */
export const ok = (text: string): TextResult => ({ ok: true, text })

/** The engine with the test transport's codec, reporting nothing unless told. */
export function createTestEngine(
  facilitator: FacilitatorClient,
  parameters: Omit<CreatePaywallEngineParameters<TestRequest, TextResult>, 'codec'>,
) {
  return createPaywallEngine<TestRequest, TextResult>(facilitator, {
    codec: textCodec,
    logger: false,
    ...parameters,
  })
}

/** The wired parts a stage is given, for testing one stage on its own. */
export function wireTestEngine(
  facilitator: FacilitatorClient,
  parameters: Omit<CreatePaywallEngineParameters<TestRequest, TextResult>, 'codec'>,
): { engine: Engine<TestRequest, TextResult>; offers: ResolvedOffer<TestRequest>[] } {
  const offers = Object.entries(parameters.offers as Offers<TestRequest>).map(([key, config]) =>
    resolveOffer(key, config, { assets: parameters.assets }),
  )
  const engine = wireEngine(
    facilitator,
    { codec: textCodec, logger: false, ...parameters },
    {
      offers,
      agent: undefined,
      idempotency: parameters.idempotency ?? {},
      now: parameters.now ?? Date.now,
    },
  )
  return { engine, offers }
}

/** A paid call of the test transport. */
export function callFor(
  offer: ResolvedOffer<TestRequest>,
  payment: PaymentPayload | unknown,
  run: () => Promise<Held<TextResult>>,
): PaidCall<TestRequest, TextResult> {
  return {
    offer,
    request: { name: 'test call' },
    resource: `test://offer/${offer.key}`,
    payment: payment === undefined ? undefined : parsePayment(payment),
    run,
  }
}

/** The context a stage sees for a call without a payment. */
export function callContext(
  call: PaidCall<TestRequest, TextResult>,
): CallContext<TestRequest, TextResult> {
  const accepts = call.offer.options.map((option) => option.requirements!)
  return { call, route: call.offer.key, accepts, resource: getResource(call.offer, call.resource) }
}

/** The context a stage sees for a call whose payment matched (static prices only). */
export function paymentContext(
  call: PaidCall<TestRequest, TextResult>,
): PaymentContext<TestRequest, TextResult> {
  const context = callContext(call)
  const payment = call.payment
  if (!payment || isRejection(payment)) throw new TypeError('the call carries no usable payment')
  const candidates = matchPayment(payment, context.accepts)
  if (isRejection(candidates)) throw new TypeError(`no match: ${candidates.reason}`)
  const base = { x402Version: payment.x402Version, paymentPayload: payment.payload }
  return { ...context, payment, candidates, base }
}

/** The challenge of an offer (static prices), as a payer would read it. */
export function challengeOf(offer: ResolvedOffer<TestRequest>): PaymentRequired {
  const context = callContext(callFor(offer, undefined, createWork().run))
  return buildPaymentRequired({
    accepts: context.accepts,
    resource: context.resource,
    error: 'payment_required',
  })
}

/** What a stand-in facilitator was asked. */
export type FacilitatorCalls = { verify: number; settle: number; supported: number }

/**
 * A facilitator that answers what the test says (the facilitator is a remote service; the real
 * one runs in the engine's own tests on anvil): verifies everything, settles with a fixed hash,
 * supports exact payments on every network, unless told otherwise.
 */
export function standInFacilitator(
  answers: Partial<FacilitatorClient> = {},
): FacilitatorClient & { calls: FacilitatorCalls } {
  const calls: FacilitatorCalls = { verify: 0, settle: 0, supported: 0 }
  return {
    calls,
    async verify(request) {
      calls.verify++
      if (answers.verify) return answers.verify(request)
      const { authorization } = request.paymentPayload.payload as {
        authorization: { from: string }
      }
      return { isValid: true, payer: authorization.from }
    },
    async settle(request) {
      calls.settle++
      if (answers.settle) return answers.settle(request)
      return {
        success: true,
        transaction: `0x${'ab'.repeat(32)}`,
        network: request.paymentRequirements.network,
      }
    },
    async supported() {
      calls.supported++
      if (answers.supported) return answers.supported()
      return { kinds: [], extensions: [], signers: {} }
    },
  }
}

/** A v2 payment for an offer's first option, shaped right but not signed (for stand-ins only). */
export function unsignedPayment(
  offer: ResolvedOffer<TestRequest>,
  {
    nonce = 1,
    signature = `0x${'11'.repeat(65)}`,
    id,
  }: { nonce?: number; signature?: string; id?: string } = {},
): PaymentPayload {
  const accepted = offer.options[0]!.requirements!
  return {
    x402Version: 2,
    accepted,
    payload: {
      signature,
      authorization: {
        from: '0x2222222222222222222222222222222222222222',
        to: accepted.payTo,
        value: accepted.amount,
        validAfter: '0',
        validBefore: '99999999999',
        nonce: `0x${nonce.toString(16).padStart(64, '0')}`,
      },
    },
    ...(id ? { extensions: { 'payment-identifier': { info: { required: false, id } } } } : {}),
  } as PaymentPayload
}

/** An offer on Base Sepolia (USDC from the registry), for tests without a chain. */
export const testOffers = {
  report: {
    price: '$0.01',
    payTo: '0x1111111111111111111111111111111111111111',
    network: 'base-sepolia',
  },
  'report-settle-first': {
    price: '$0.01',
    payTo: '0x1111111111111111111111111111111111111111',
    network: 'base-sepolia',
    order: 'settle-first' as const,
  },
}
