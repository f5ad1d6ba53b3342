import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  SettleResponse,
  VerifyResponse,
} from '@tollgate/core'
import { paywallChannels, publish } from './diagnostics.js'
import type { PaywallFailureKind } from './failures.js'
import type { Report } from './logger.js'

/** What every payment event carries; `request` is the transport's view of the call. */
export type PaymentEvent<request = unknown> = {
  /** The call as the transport describes it (an HTTP request view, an MCP tool call). */
  request: request
  /** The key of the offer that priced the call (the route `"GET /report"`, a tool name). */
  route: string
  x402Version: 1 | 2
  paymentPayload: PaymentPayload | PaymentPayloadV1
  requirements: PaymentRequirements
  /** The payer address, from the authorization. */
  payer: string
}

/** The facilitator verified the payment. */
export type VerifiedEvent<request = unknown> = PaymentEvent<request> & {
  verification: VerifyResponse
}

/** The transfer settled and the paid result went out. */
export type SettledEvent<request = unknown> = PaymentEvent<request> & {
  settlement: SettleResponse
}

/**
 * Where a presented payment stopped. `settlement-mode`: the route's `settlement` cannot be
 * honoured by the facilitator, or its `/supported` could not be read (checked before verifying).
 * `handler`: the work itself failed. `store`: the paywall's store could not be asked.
 */
export type FailureStage =
  | 'decode'
  | 'match'
  | 'idempotency'
  | 'settlement-mode'
  | 'verify'
  | 'handler'
  | 'settle'
  | 'store'

/** A presented payment did not end in a paid result. */
export type FailedEvent<request = unknown> = {
  request: request
  route: string
  stage: FailureStage
  /** The reason string the client was given (a reference reason or a `paywallReasons` value). */
  reason: string
  /** Why the paywall answered; `undefined` when the work answered itself (`stage: 'handler'`). */
  failure?: PaywallFailureKind | undefined
  /**
   * The transport's status of the answer (HTTP: the status code, the handler's own for
   * `stage: 'handler'`), when the transport has statuses.
   */
  status?: number | undefined
  x402Version?: 1 | 2 | undefined
  paymentPayload?: PaymentPayload | PaymentPayloadV1 | undefined
  requirements?: PaymentRequirements | undefined
  settlement?: SettleResponse | undefined
  error?: unknown
}

/**
 * Lifecycle hooks. They run after the fact and cannot change the outcome: one that throws (or
 * rejects) is logged and published on the `tollgate:paywall:hook-error` channel (with the error
 * itself), and a settled payment is still delivered. `onVerified` is awaited before the work
 * runs; `onSettled` and `onFailed` start once the outcome is decided and never delay it.
 */
export type PaywallHooks<request = unknown> = {
  /** The facilitator verified the payment; the work runs next. */
  onVerified?: ((event: VerifiedEvent<request>) => void | Promise<void>) | undefined
  /** The transfer settled and the paid result went out. */
  onSettled?: ((event: SettledEvent<request>) => void | Promise<void>) | undefined
  /** A presented payment did not end in a paid result. */
  onFailed?: ((event: FailedEvent<request>) => void | Promise<void>) | undefined
}

/** Runs one hook, isolating the paywall from whatever it throws. Never rejects. */
export async function runHook<event>(
  name: keyof PaywallHooks,
  hook: ((event: event) => void | Promise<void>) | undefined,
  event: event,
  report: Report,
): Promise<void> {
  if (!hook) return
  try {
    await hook(event)
  } catch (error) {
    report('error', `the ${name} hook threw`, { hook: name, error })
    publish(paywallChannels.hookError, () => ({ hook: name, error }))
  }
}
