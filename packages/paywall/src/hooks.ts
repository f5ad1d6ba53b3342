import diagnostics_channel from 'node:diagnostics_channel'
import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  SettleResponse,
  VerifyResponse,
} from '@tollgate/core'
import type { Report } from './logger.js'
import type { PaywallRequest } from './request.js'

/** What every payment event carries. */
export type PaymentEvent<raw = unknown> = {
  request: PaywallRequest<raw>
  /** The route key that priced the request (`"GET /report"`). */
  route: string
  x402Version: 1 | 2
  paymentPayload: PaymentPayload | PaymentPayloadV1
  requirements: PaymentRequirements
  /** The payer address, from the authorization. */
  payer: string
}

export type VerifiedEvent<raw = unknown> = PaymentEvent<raw> & { verification: VerifyResponse }

export type SettledEvent<raw = unknown> = PaymentEvent<raw> & { settlement: SettleResponse }

/**
 * Where a presented payment stopped. `settlement-mode`: the route's `settlement` cannot be
 * honoured by the facilitator, or its `/supported` could not be read (checked before verifying).
 */
export type FailureStage =
  | 'decode'
  | 'match'
  | 'idempotency'
  | 'settlement-mode'
  | 'verify'
  | 'handler'
  | 'settle'

export type FailedEvent<raw = unknown> = {
  request: PaywallRequest<raw>
  route: string
  stage: FailureStage
  /** The reason string the client was given (a reference reason or a `paywallReasons` value). */
  reason: string
  /** The HTTP status the client was given (the handler's status for `stage: 'handler'`). */
  status: number
  x402Version?: 1 | 2 | undefined
  paymentPayload?: PaymentPayload | PaymentPayloadV1 | undefined
  requirements?: PaymentRequirements | undefined
  settlement?: SettleResponse | undefined
  error?: unknown
}

/**
 * Lifecycle hooks. They run after the fact and cannot change the outcome: one that throws (or
 * rejects) is logged and published on the `tollgate:paywall:hook-error` channel (with the error
 * itself), and a settled payment is still delivered.
 */
export type PaywallHooks<raw = unknown> = {
  /** The facilitator verified the payment; the handler runs next. */
  onVerified?: ((event: VerifiedEvent<raw>) => void | Promise<void>) | undefined
  /** The transfer settled and the paid response went out. */
  onSettled?: ((event: SettledEvent<raw>) => void | Promise<void>) | undefined
  /** A presented payment did not end in a paid response. */
  onFailed?: ((event: FailedEvent<raw>) => void | Promise<void>) | undefined
}

/**
 * Diagnostics channel names. Subscribe with `diagnostics_channel.subscribe(name, fn)`; nothing is
 * published (or built) while a channel has no subscriber.
 */
export const paywallChannels = {
  challenge: 'tollgate:paywall:challenge',
  verified: 'tollgate:paywall:verified',
  settled: 'tollgate:paywall:settled',
  failed: 'tollgate:paywall:failed',
  hookError: 'tollgate:paywall:hook-error',
  facilitatorError: 'tollgate:paywall:facilitator-error',
} as const

type ChannelName = (typeof paywallChannels)[keyof typeof paywallChannels]

/** Publishes on a channel when someone listens. */
export function publish(name: ChannelName, message: () => Record<string, unknown>): void {
  const channel = diagnostics_channel.channel(name)
  if (channel.hasSubscribers) channel.publish(message())
}

/** Runs one hook, isolating the flow from whatever it throws. */
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
