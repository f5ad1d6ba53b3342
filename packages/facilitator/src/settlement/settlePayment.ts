import {
  type SettlementMode as CoreSettlementMode,
  getEvmChainId,
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  type PaymentRequirementsV1,
  reasons,
  type SettleResponse,
} from '@tollgate/core'
import { normalizePayment } from '@tollgate/evm'
import type { ChainRuntime } from '../chain/types.js'
import type { AuthorizationKey, SettlementEntry, SettlementRecord } from '../ledger/types.js'
import {
  toSettlementEntry,
  type VerifyAndReserveContext,
  verifyAndReserve,
} from '../verify/verifyAndReserve.js'
import type { SettlementEvents } from './createSettlementEvents.js'

/**
 * When `/settle` answers: after the receipt (`confirmed`, the reference behaviour), once the
 * transaction is broadcast and its hash known (`submitted`), or once the authorization is durably
 * queued for the background settler (`queued`). The same type as the `settlement` field of core's
 * `SettleParameters`, which a paywall sends.
 */
export type SettlementMode = CoreSettlementMode

export type SettlePaymentContext = VerifyAndReserveContext & {
  events: SettlementEvents
  /** How long `/settle` waits for its mode's state before answering `settlement_pending`, in ms. */
  timeoutMs: number
  /** Seconds an authorization must still be valid for when it is queued. @default 6 */
  minValiditySeconds?: number | undefined
  /** Gets what went wrong while waiting, when the answer is `settlement_pending` because of it. */
  onError?: ((error: unknown) => void) | undefined
}

export type SettlePaymentParameters = {
  paymentPayload: PaymentPayload | PaymentPayloadV1
  paymentRequirements: PaymentRequirements | PaymentRequirementsV1
  mode: SettlementMode
  paymentId?: string | undefined
}

export type SettlePaymentReturnType = {
  response: SettleResponse
  /** The ledger row, when the authorization reached the ledger. */
  record?: SettlementRecord | undefined
}

function sameAuthorization(record: SettlementRecord, entry: SettlementEntry): boolean {
  return (
    record.payee.toLowerCase() === entry.payee.toLowerCase() &&
    record.value === entry.value &&
    record.validAfter === entry.validAfter &&
    record.validBefore === entry.validBefore &&
    record.signature.toLowerCase() === entry.signature.toLowerCase()
  )
}

function isLive(record: SettlementRecord, time: number): boolean {
  if (record.state === 'released') return false
  return record.state !== 'verified' || (record.holdUntil ?? 0) > time
}

/**
 * Settles a payment, idempotently: the authorization's ledger row is the settlement, so a retried
 * `/settle` (or twenty concurrent ones) finds the same row and answers from it: the same
 * transaction, never a second one. A `verified` row moves to `queued` (compare-and-set); a payment
 * with no row is verified and queued in one step. The background settler does the rest; this
 * waits for the state the mode asks for and answers `settlement_pending` (with the transaction
 * hash, when there is one) if it does not come in time — never a failure it cannot prove.
 */
export async function settlePayment(
  context: SettlePaymentContext,
  parameters: SettlePaymentParameters,
): Promise<SettlePaymentReturnType> {
  const { ledger, chains, events, timeoutMs, minValiditySeconds = 6, now = Date.now } = context
  const network = parameters.paymentRequirements.network
  const normalized = normalizePayment(parameters)
  if (!normalized.ok) {
    return {
      response: {
        success: false,
        errorReason: normalized.response.invalidReason ?? reasons.invalidPayload,
        transaction: '',
        network,
        ...(normalized.response.payer ? { payer: normalized.response.payer } : {}),
      },
    }
  }
  const payer = normalized.payment.payload.authorization.from
  const failure = (errorReason: string, record?: SettlementRecord): SettlePaymentReturnType => ({
    response: { success: false, errorReason, transaction: record?.txHash ?? '', network, payer },
    record,
  })

  let chain: ChainRuntime | undefined
  let entry: SettlementEntry
  try {
    const chainId = getEvmChainId(network)
    chain = chains.get(chainId)
    entry = toSettlementEntry(chainId, normalized.payment, parameters.paymentId)
  } catch {
    return failure(reasons.invalidNetwork)
  }
  if (!chain) return failure(reasons.invalidNetwork)
  const key: AuthorizationKey = {
    chainId: entry.chainId,
    asset: entry.asset,
    payer: entry.payer,
    nonce: entry.nonce,
  }

  let record: SettlementRecord | undefined
  // A few rounds at most: each lost race means another request moved the row, and the next read
  // sees where it went.
  for (let round = 0; round < 4 && !record; round++) {
    const current = await ledger.get(key)
    if (current && isLive(current, now())) {
      if (!sameAuthorization(current, entry))
        return failure(reasons.invalidExactEvmNonceAlreadyUsed)
      if (current.state !== 'verified') {
        record = current
        break
      }
      if (entry.validBefore < BigInt(Math.floor(now() / 1000) + minValiditySeconds)) {
        await ledger.transition({ keys: [key], from: ['verified'], to: 'released' })
        return failure(reasons.invalidExactEvmPayloadAuthorizationValidBefore)
      }
      const [moved] = await ledger.transition({
        keys: [key],
        from: ['verified'],
        to: 'queued',
        set: { holdUntil: null },
      })
      if (moved) {
        record = moved
        events.publish([moved])
        chain.settler.wake()
      }
      continue
    }
    const reserved = await verifyAndReserve(context, { ...parameters, state: 'queued' })
    if (reserved.ok) {
      record = reserved.record
      events.publish([record])
      chain.settler.wake()
      break
    }
    // Someone reserved it between our read and our insert: go round and read it.
    if (reserved.existing) continue
    return failure(reserved.response.invalidReason ?? reasons.unexpectedSettleError)
  }
  if (!record) return failure(reasons.unexpectedSettleError)

  const settler = chain.settler
  const reached = (r: SettlementRecord): boolean => {
    if (r.state === 'failed') return true
    if (parameters.mode === 'queued') return r.state !== 'verified' && r.state !== 'released'
    if (parameters.mode === 'submitted')
      return (
        r.state === 'confirmed' ||
        (r.state === 'submitted' && !(r.txHash && settler.awaitingBroadcast(r.txHash)))
      )
    return r.state === 'confirmed'
  }
  let waited: { record: SettlementRecord | undefined; timedOut: boolean }
  try {
    waited = reached(record)
      ? { record, timedOut: false }
      : await events.wait(key, { until: reached, timeoutMs })
  } catch (error) {
    // The payment is queued and will settle; what failed is only our view of it (a ledger read).
    context.onError?.(error)
    return failure(reasons.settlementPending, record)
  }
  const { record: last, timedOut } = waited
  const final = last ?? record
  if (final.state === 'failed')
    return failure(final.reason ?? reasons.invalidExactEvmTransactionFailed, final)
  if (timedOut || !reached(final)) return failure(reasons.settlementPending, final)
  return {
    response: { success: true, transaction: final.txHash ?? '', network, payer },
    record: final,
  }
}
