import {
  type SettlementMode as CoreSettlementMode,
  exactPermit2PayloadSchema,
  getEvmChainId,
  type PaymentPayload,
  type PaymentPayloadV1,
  type PaymentRequirements,
  type PaymentRequirementsV1,
  reasons,
  type SettleResponse,
  uptoPermit2PayloadSchema,
} from '@tollgate/core'
import {
  fromWirePermit2Authorization,
  isPermit2Payload,
  normalizePayment,
  verifyPermit2Authorization,
} from '@tollgate/evm'
import type { Hex } from 'viem'
import { isLapsed } from '../ledger/reservation.js'
import type { AuthorizationKey, SettlementEntry, SettlementRecord } from '../ledger/types.js'
import { recoverSigner } from '../verify/recoverSigner.js'
import {
  toSettlementEntry,
  type VerifyAndReserveContext,
  verifyAndReserve,
} from '../verify/verifyAndReserve.js'
import { toPermit2Entry } from '../verify/verifyPermit2AndReserve.js'
import type { SettlementEvents } from './createSettlementEvents.js'
import type { Settler } from './createSettler.js'
import { durableForQueued } from './durableForQueued.js'
import { termsMismatch } from './termsMismatch.js'

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
  // An `upto` row's value is the maximum until its charge is known: the signed terms compare.
  const upto = entry.permit2?.scheme === 'upto'
  return (
    record.payee.toLowerCase() === entry.payee.toLowerCase() &&
    (upto
      ? record.permit2?.permitted === entry.permit2?.permitted
      : record.value === entry.value) &&
    record.validAfter === entry.validAfter &&
    record.validBefore === entry.validBefore &&
    record.signature.toLowerCase() === entry.signature.toLowerCase()
  )
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
  const network = parameters.paymentRequirements.network
  const read = readSettlementEntry(parameters)
  if (!read.ok) return { response: { success: false, transaction: '', network, ...read.failure } }
  const { payer, entry } = read
  const failure = (errorReason: string, record?: SettlementRecord): SettlePaymentReturnType => ({
    response: { success: false, errorReason, transaction: record?.txHash ?? '', network, payer },
    record,
  })
  const chain = context.chains.get(entry.chainId)
  if (!chain) return failure(reasons.invalidNetwork)
  const upto = entry.permit2?.scheme === 'upto'
  if (upto && entry.value > (entry.permit2?.permitted ?? 0n))
    return failure(reasons.invalidUptoEvmPayloadSettlementExceedsAmount)
  // Nothing used, nothing charged: no transaction, and a reservation goes back.
  if (upto && entry.value === 0n) return settleNothing(context, parameters, entry, payer)
  const key = keyOf(entry)
  const queued = await queueAuthorization(context, {
    parameters,
    entry,
    key,
    settler: chain.settler,
  })
  if ('reason' in queued) return failure(queued.reason)
  const { record, fresh } = queued
  const reached = (r: SettlementRecord) => hasReached(parameters.mode, chain.settler, r)
  const waited = await waitForState(context, { key, record, fresh, reached })
  if (!waited) return failure(reasons.settlementPending, record)
  const { final, timedOut } = waited
  if (final.state === 'failed')
    return failure(final.reason ?? reasons.invalidExactEvmTransactionFailed, final)
  if (timedOut || !reached(final)) return failure(reasons.settlementPending, final)
  return {
    response: {
      success: true,
      transaction: final.txHash ?? '',
      network,
      payer,
      ...(upto ? { amount: final.value.toString() } : {}),
    },
    record: final,
  }
}

/**
 * The authorization's row, queued: a `verified` row moves to `queued` (compare-and-set), a payment
 * with no live row is verified and queued in one step, a row already further along is answered
 * from; or why it cannot be queued.
 */
async function queueAuthorization(
  context: SettlePaymentContext,
  {
    parameters,
    entry,
    key,
    settler,
  }: {
    parameters: SettlePaymentParameters
    entry: SettlementEntry
    key: AuthorizationKey
    settler: Settler
  },
): Promise<{ record: SettlementRecord; fresh: boolean } | { reason: string }> {
  const { ledger, events, minValiditySeconds = 6, now = Date.now } = context
  // A few rounds at most: each lost race means another request moved the row, and the next read
  // sees where it went.
  for (let round = 0; round < 4; round++) {
    const current = await ledger.get(key)
    if (current && !isLapsed(current, now())) {
      if (!sameAuthorization(current, entry))
        return { reason: reasons.invalidExactEvmNonceAlreadyUsed }
      const mismatch = termsMismatch(entry, parameters.paymentRequirements)
      if (mismatch) return { reason: mismatch }
      if (current.state !== 'verified')
        return { record: await durableForQueued(ledger, parameters.mode, current), fresh: false }
      if (entry.validBefore < BigInt(Math.floor(now() / 1000) + minValiditySeconds)) {
        await ledger.transition({ keys: [key], from: ['verified'], to: 'released' })
        return { reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore }
      }
      const [moved] = await ledger.transition(
        {
          keys: [key],
          from: ['verified'],
          to: 'queued',
          // An `upto` row now moves the charge, not the maximum it held.
          set: {
            holdUntil: null,
            ...(entry.permit2?.scheme === 'upto' ? { value: entry.value } : {}),
          },
        },
        // Only a `queued` answer is given on this row as it stands; the other modes answer on the
        // `submitted` or `confirmed` write that follows, durable, which makes this one durable too
        // (a ledger logs in order). Lost with the power before that, nothing was promised on it.
        { durable: parameters.mode === 'queued' },
      )
      if (!moved) continue
      events.publish([moved])
      settler.wake()
      return { record: moved, fresh: true }
    }
    const reserved = await verifyAndReserve(context, { ...parameters, state: 'queued' })
    if (reserved.ok) {
      events.publish([reserved.record])
      settler.wake()
      return { record: reserved.record, fresh: true }
    }
    // Someone reserved it between our read and our insert: go round and read it.
    if (reserved.existing) continue
    return { reason: reserved.response.invalidReason ?? reasons.unexpectedSettleError }
  }
  return { reason: reasons.unexpectedSettleError }
}

/** Whether `record` is in a state `mode` answers at (a failure always is). */
function hasReached(mode: SettlementMode, settler: Settler, record: SettlementRecord): boolean {
  if (record.state === 'failed') return true
  if (mode === 'queued') return record.state !== 'verified' && record.state !== 'released'
  if (mode === 'submitted')
    return (
      record.state === 'confirmed' ||
      (record.state === 'submitted' && !(record.txHash && settler.awaitingBroadcast(record.txHash)))
    )
  return record.state === 'confirmed'
}

/**
 * The row once it is `reached`, or as it was when the wait timed out; `undefined` when the wait
 * itself failed (reported to `onError`).
 */
async function waitForState(
  context: SettlePaymentContext,
  {
    key,
    record,
    fresh,
    reached,
  }: {
    key: AuthorizationKey
    record: SettlementRecord
    /** Whether `record` is this call's own write, which the settler could not have passed yet. */
    fresh: boolean
    reached: (record: SettlementRecord) => boolean
  },
): Promise<{ final: SettlementRecord; timedOut: boolean } | undefined> {
  try {
    const waited = reached(record)
      ? { record, timedOut: false }
      : await context.events.wait(key, {
          until: reached,
          timeoutMs: context.timeoutMs,
          // The settler moves a row only in a commit after the one that claims it, so none of its
          // transitions can come between this row's write and the listening: starting from the
          // row misses nothing, and spares a ledger read per payment.
          current: fresh ? record : undefined,
        })
    return { final: waited.record ?? record, timedOut: waited.timedOut }
  } catch (error) {
    // The payment is queued and will settle; what failed is only our view of it (a ledger read).
    context.onError?.(error)
    return undefined
  }
}

/** The ledger key of an authorization. */
function keyOf(entry: SettlementEntry): AuthorizationKey {
  return { chainId: entry.chainId, asset: entry.asset, payer: entry.payer, nonce: entry.nonce }
}

/**
 * The ledger entry a `/settle` body describes, and its payer: an EIP-3009 authorization, or a
 * Permit2 one (`upto`: its `value` is the charge, `requirements.amount`).
 */
function readSettlementEntry(
  parameters: SettlePaymentParameters,
):
  | { ok: true; payer: string; entry: SettlementEntry }
  | { ok: false; failure: { errorReason: string; payer?: string } } {
  const { paymentPayload, paymentRequirements } = parameters
  let chainId: number
  try {
    chainId = getEvmChainId(paymentRequirements.network)
  } catch {
    return { ok: false, failure: { errorReason: reasons.invalidNetwork } }
  }
  if (paymentPayload.x402Version === 2 && isPermit2Payload(paymentPayload.payload)) {
    const requirements = paymentRequirements as PaymentRequirements
    const scheme = requirements.scheme === 'upto' ? 'upto' : 'exact'
    const schema = scheme === 'upto' ? uptoPermit2PayloadSchema : exactPermit2PayloadSchema
    const parsed = schema.safeParse(paymentPayload.payload)
    if (!parsed.success || !/^\d{1,78}$/.test(requirements.amount))
      return { ok: false, failure: { errorReason: reasons.invalidPayload } }
    const authorization = fromWirePermit2Authorization(scheme, parsed.data.permit2Authorization)
    const entry = toPermit2Entry(chainId, {
      authorization,
      signature: parsed.data.signature as Hex,
      amount: BigInt(requirements.amount),
      paymentId: parameters.paymentId,
    })
    return { ok: true, payer: authorization.from, entry }
  }
  const normalized = normalizePayment(parameters)
  if (!normalized.ok)
    return {
      ok: false,
      failure: {
        errorReason: normalized.response.invalidReason ?? reasons.invalidPayload,
        ...(normalized.response.payer ? { payer: normalized.response.payer } : {}),
      },
    }
  const payer = normalized.payment.payload.authorization.from
  try {
    return {
      ok: true,
      payer,
      entry: toSettlementEntry(chainId, normalized.payment, parameters.paymentId),
    }
  } catch {
    return { ok: false, failure: { errorReason: reasons.invalidPayload, payer } }
  }
}

/**
 * An `upto` payment that used nothing: verified (its reservation, if `/verify` made one, goes
 * back), answered as the reference answers it, success without a transaction and `amount: "0"`.
 */
async function settleNothing(
  context: SettlePaymentContext,
  parameters: SettlePaymentParameters,
  entry: SettlementEntry,
  payer: string,
): Promise<SettlePaymentReturnType> {
  const network = parameters.paymentRequirements.network
  const key = keyOf(entry)
  const current = await context.ledger.get(key)
  if (current && current.state !== 'verified' && current.state !== 'released')
    return {
      response: {
        success: false,
        errorReason: reasons.permit2InvalidNonce,
        transaction: '',
        network,
        payer,
      },
      record: current,
    }
  if (!current || current.state === 'released') {
    const chain = context.chains.get(entry.chainId)!
    const verified = await verifyPermit2Authorization(chain.client, {
      recover: recoverSigner,
      payload: parameters.paymentPayload.payload,
      requirements: parameters.paymentRequirements as PaymentRequirements,
      facilitators: chain.signers,
      settling: true,
      now: context.now,
      checks: { balance: false, allowance: false },
    })
    if (!verified.isValid)
      return {
        response: {
          success: false,
          errorReason: verified.invalidReason ?? reasons.invalidPayload,
          transaction: '',
          network,
          payer,
        },
      }
  } else await context.ledger.transition({ keys: [key], from: ['verified'], to: 'released' })
  return { response: { success: true, transaction: '', network, payer, amount: '0' } }
}
