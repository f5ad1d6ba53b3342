import type { PaymentRequirements, ResourceInfo } from '@tollgate/core'
import type { FacilitatorClient } from '@tollgate/core/facilitator-client'
import type { Asset } from '@tollgate/evm'
import type { PaywallFailureKind } from '../failures.js'
import type { PaywallHooks } from '../hooks.js'
import type { Idempotency } from '../idempotency/createIdempotency.js'
import type { Report } from '../logger.js'
import type { UptoFacilitators } from '../offer/uptoFacilitators.js'
import type { Candidates } from '../payment/match.js'
import type { Payment } from '../payment/parsePayment.js'
import type { SettlementModes } from '../settlementModes.js'
import type { KeptPayments } from '../state/keptPayments.js'
import type { ReplayGuard } from '../state/replayGuard.js'
import type { PaidCall, ResultCodec } from './types.js'

/** What every stage of the engine is given: resolved once, when the engine is created. */
export type Engine<request, result> = {
  facilitator: FacilitatorClient
  assets: readonly Asset[] | undefined
  hooks: PaywallHooks<request>
  report: Report
  modes: SettlementModes
  /** Who settles `upto` payments, per network (the facilitator's `/supported`). */
  uptoFacilitators: UptoFacilitators
  guard: ReplayGuard
  kept: KeptPayments
  /** `undefined` when payment identifiers are turned off. */
  idempotency: Idempotency | undefined
  idempotencyRequired: boolean
  codec: ResultCodec<result>
  /** The extensions of every challenge (payment-identifier, the ERC-8004 agent). */
  extensions: Record<string, unknown>
  statusOf: ((failure: PaywallFailureKind) => number) | undefined
}

/** One call, priced. */
export type CallContext<request, result> = {
  call: PaidCall<request, result>
  /** The offer's key (`"GET /report"`, a tool name). */
  route: string
  accepts: PaymentRequirements[]
  resource: ResourceInfo
}

/** One call with a payment matched to the requirements it may be paying. */
export type PaymentContext<request, result> = CallContext<request, result> & {
  payment: Payment
  /** One for v2 (`accepted`); v1 options that differ by asset alone are all candidates. */
  candidates: Candidates
  /** What every event of this payment carries. */
  base: { x402Version: 1 | 2; paymentPayload: Payment['payload'] }
}
