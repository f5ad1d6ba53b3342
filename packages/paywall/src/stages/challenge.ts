import {
  agentReferenceKey,
  type PaymentRequired,
  type PaymentRequirements,
  paymentIdentifierKey,
  type ResourceInfo,
} from '@tollgate/core'
import type { ResolvedAgentOption } from '../agent.js'
import { paywallChannels, publish } from '../diagnostics.js'
import type { CallContext, Engine } from '../engine/context.js'
import type { Outcome } from '../engine/types.js'
import { declarePaymentIdentifier } from '../idempotency/paymentIdentifier.js'
import { paywallReasons } from '../reasons.js'

/** The v2 challenge object (the `PAYMENT-REQUIRED` header, an MCP tool's `structuredContent`). */
export function buildPaymentRequired({
  accepts,
  resource,
  error,
  extensions,
}: {
  accepts: readonly PaymentRequirements[]
  resource: ResourceInfo
  /** The reason string (`payment_required`, a verify `invalidReason`, ...). */
  error: string
  extensions?: Record<string, unknown> | undefined
}): PaymentRequired {
  return {
    x402Version: 2,
    error,
    resource,
    accepts: [...accepts],
    ...(extensions && Object.keys(extensions).length > 0 ? { extensions } : {}),
  } as PaymentRequired
}

/**
 * The extensions every challenge declares: the payment identifier (unless turned off) and the
 * provider's ERC-8004 agent (core's `declareAgentReference`).
 */
export function challengeExtensions({
  idempotency,
  agent,
}: {
  idempotency: false | { required?: boolean | undefined }
  agent: ResolvedAgentOption | undefined
}): Record<string, unknown> {
  return {
    ...(idempotency === false
      ? {}
      : { [paymentIdentifierKey]: declarePaymentIdentifier(idempotency.required ?? false) }),
    ...(agent ? { [agentReferenceKey]: agent.extension } : {}),
  }
}

/** A call without a payment: the challenge. */
export function challenge<request, result>(
  engine: Engine<request, result>,
  context: CallContext<request, result>,
): Outcome<result> {
  publish(paywallChannels.challenge, () => ({ route: context.route, url: context.call.resource }))
  return {
    kind: 'payment-required',
    failure: 'payment_required',
    paymentRequired: buildPaymentRequired({
      accepts: context.accepts,
      resource: context.resource,
      error: paywallReasons.paymentRequired,
      extensions: engine.extensions,
    }),
    reason: paywallReasons.paymentRequired,
    message: 'This resource requires payment.',
  }
}
