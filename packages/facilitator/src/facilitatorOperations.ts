import {
  type FacilitatorRequest,
  type PaymentPayload,
  type PaymentPayloadV1,
  paymentIdentifierKey,
  paymentIdSchema,
  type SettlementMode,
  type SettleParameters,
  type SettleResponse,
  type VerifyResponse,
} from '@tollgate/core'
import { isPermit2Payload } from '@tollgate/evm'
import type { ChainRuntime } from './chain/types.js'
import type { FacilitatorHealth } from './createFacilitator.js'
import type { FacilitatorCounters } from './http/registerFacilitatorMetrics.js'
import type { AuthorizationKey, Ledger, SettlementRecord } from './ledger/types.js'
import { type SettlePaymentContext, settlePayment } from './settlement/settlePayment.js'
import { type SettlementStatus, toSettlementStatus } from './toSettlementStatus.js'
import { verifyAndReserve } from './verify/verifyAndReserve.js'

/** What the facilitator's operations run on: its engine's context, counters and lifecycle. */
export type OperationsContext = {
  engine: SettlePaymentContext
  counters: FacilitatorCounters
  lifecycle: { readonly running: boolean; start(): Promise<void> }
  /** The settlement mode when a `/settle` names none. */
  mode: SettlementMode
}

/** `/verify`: checks the payment and holds its authorization (a `verified` row). */
export async function verifyRequest(
  { engine, counters, lifecycle }: OperationsContext,
  request: FacilitatorRequest,
): Promise<VerifyResponse> {
  await lifecycle.start()
  const result = await verifyAndReserve(engine, {
    ...request,
    state: 'verified',
    paymentId: paymentIdOf(request.paymentPayload),
  })
  if (result.ok) engine.events.publish([result.record])
  const { isValid, invalidReason } = result.response
  counters.verifications.inc({
    scheme: schemeLabel(request),
    result: isValid ? 'valid' : 'invalid',
    reason: invalidReason ?? '',
  })
  return result.response
}

/** `/settle`: settles once, answering in the request's mode (or the facilitator's). */
export async function settleRequest(
  { engine, counters, lifecycle, mode }: OperationsContext,
  request: SettleParameters,
): Promise<SettleResponse> {
  await lifecycle.start()
  const settlement = request.settlement ?? mode
  const { response } = await settlePayment(engine, {
    paymentPayload: request.paymentPayload,
    paymentRequirements: request.paymentRequirements,
    mode: settlement,
    paymentId: paymentIdOf(request.paymentPayload),
  })
  counters.settlements.inc({
    scheme: schemeLabel(request),
    mode: settlement,
    result: response.success ? 'success' : 'failure',
    reason: response.errorReason ?? '',
  })
  return response
}

/** The settlements a status query names: by key (one or none), or every one with a payment id. */
export async function readStatus(
  { ledger, chains }: { ledger: Ledger; chains: ReadonlyMap<number, ChainRuntime> },
  query: { key: AuthorizationKey } | { paymentId: string },
): Promise<SettlementStatus[]> {
  const records =
    'paymentId' in query
      ? await ledger.getByPaymentId(query.paymentId)
      : [await ledger.get(query.key)].filter((r): r is SettlementRecord => r !== undefined)
  return records.map((record) =>
    toSettlementStatus(record, chains.get(record.chainId)?.watcher.head?.number),
  )
}

/** `/health`: each chain's head, its age and the transactions in flight; `ok` once running with every head. */
export function readHealth({ engine, lifecycle }: OperationsContext): FacilitatorHealth {
  const { ledger, chains, now = Date.now } = engine
  const nowSeconds = Math.floor(now() / 1000)
  const report = [...chains.values()].map(({ chainId, watcher, settler }) => ({
    chainId,
    head: watcher.head ? watcher.head.number.toString() : null,
    headAgeSeconds: watcher.head ? Math.max(0, nowSeconds - Number(watcher.head.timestamp)) : null,
    inFlight: settler.stats.tracked,
  }))
  const ok = lifecycle.running && report.every((chain) => chain.head !== null)
  return { status: ok ? 'ok' : 'degraded', ledger: ledger.kind, chains: report }
}

function paymentIdOf(payload: PaymentPayload | PaymentPayloadV1): string | undefined {
  if (payload.x402Version !== 2) return undefined
  const extension = payload.extensions?.[paymentIdentifierKey] as
    | { info?: { id?: unknown } }
    | undefined
  const parsed = paymentIdSchema.safeParse(extension?.info?.id)
  return parsed.success ? parsed.data : undefined
}

/** The `scheme` label of a request's metrics: `exact` (EIP-3009), `exact-permit2` or `upto`. */
function schemeLabel({ paymentPayload }: FacilitatorRequest): string {
  if (paymentPayload.x402Version !== 2) return paymentPayload.scheme
  const scheme = paymentPayload.accepted.scheme
  return scheme === 'exact' && isPermit2Payload(paymentPayload.payload) ? 'exact-permit2' : scheme
}
