import { TaskState } from '@a2a-js/sdk'
import type { SettleResponse } from '@tollgate/core'
import type { Outcome, PaymentRequiredOutcome, RefusedOutcome } from '@tollgate/paywall'
import { toX402ErrorCode, type X402ErrorCode, x402ErrorCodes } from '../errorCodes.js'
import { x402MetadataKeys } from '../metadata.js'
import { agentMessage, publishArtifacts, publishStatus } from './events.js'
import type { SkillAnswer } from './skill.js'
import { receiptsWith, requiredEntry, type Turn } from './turn.js'
import { toWireReceipt, type WireVersion } from './wire.js'

/** What rendering needs besides the outcome: the payment's version and network. */
export type RenderContext = { version: WireVersion; network: string }

/**
 * The engine's outcome as the task's next status: `completed` with the work and every receipt;
 * `input-required` with `payment-failed` and a new challenge when another payment may succeed;
 * `failed` with `payment-failed` when the settlement failed or the skill did (nothing is served,
 * and for a failed skill nothing is charged).
 */
export function renderOutcome(
  turn: Turn,
  outcome: Outcome<SkillAnswer>,
  context: RenderContext,
): void {
  const { channel } = turn
  const { version } = context
  switch (outcome.kind) {
    case 'served':
    case 'replayed': {
      publishArtifacts(channel, outcome.result.artifacts ?? [])
      const receipts = receiptsWith(turn, toWireReceipt(outcome.settlement, version))
      publishStatus(
        channel,
        TaskState.TASK_STATE_COMPLETED,
        agentMessage(channel, outcome.result.text ?? 'Payment successful.', {
          [x402MetadataKeys.status]: 'payment-completed',
          [x402MetadataKeys.receipts]: receipts,
        }),
      )
      return
    }
    case 'not-served':
      fail(turn, {
        state: TaskState.TASK_STATE_FAILED,
        text: outcome.result.text ?? 'The skill failed; nothing was charged.',
        code: x402ErrorCodes.serviceFailed,
        receipt: unsettled('handler_failed', context),
        challenge: undefined,
        version,
      })
      return
    case 'settlement-failed': {
      const reason = outcome.reason
      fail(turn, {
        state: outcome.pending ? TaskState.TASK_STATE_INPUT_REQUIRED : TaskState.TASK_STATE_FAILED,
        text: outcome.pending
          ? `Payment not settled yet (${reason}): send the same payment again to finish it.`
          : `Payment settlement failed (${reason}): nothing was served.`,
        code: toX402ErrorCode(reason, 'settle'),
        receipt: toWireReceipt(outcome.settlement, version),
        challenge: outcome.pending ? outcome : undefined,
        version,
      })
      return
    }
    case 'payment-required':
    case 'refused':
      fail(turn, {
        state: TaskState.TASK_STATE_INPUT_REQUIRED,
        text: `Payment failed (${outcome.reason}): ${outcome.message}`,
        code: refusalCode(outcome),
        receipt:
          outcome.kind === 'refused' && outcome.settlement
            ? toWireReceipt(outcome.settlement, version)
            : unsettled(outcome.reason, context),
        challenge: outcome.kind === 'payment-required' ? outcome : undefined,
        version,
      })
  }
}

type Failure = {
  state: TaskState
  text: string
  code: X402ErrorCode
  receipt: SettleResponse
  /** The challenge to answer again (`input-required`), when the engine gave one. */
  challenge: Pick<PaymentRequiredOutcome, 'paymentRequired'> | undefined
  version: WireVersion
}

function fail(turn: Turn, { state, text, code, receipt, challenge, version }: Failure): void {
  const { channel } = turn
  publishStatus(
    channel,
    state,
    agentMessage(channel, text, {
      [x402MetadataKeys.status]: 'payment-failed',
      [x402MetadataKeys.error]: code,
      ...(challenge
        ? requiredEntry(turn, challenge.paymentRequired, { version, withError: true })
        : {}),
      [x402MetadataKeys.receipts]: receiptsWith(turn, receipt),
    }),
  )
}

/** The receipt of a payment that was not settled: the spec's failed `x402SettleResponse`. */
function unsettled(reason: string, { network, version }: RenderContext): SettleResponse {
  return toWireReceipt({ success: false, errorReason: reason, transaction: '', network }, version)
}

function refusalCode(outcome: PaymentRequiredOutcome | RefusedOutcome): X402ErrorCode {
  if (outcome.kind === 'refused') {
    if (outcome.failure === 'facilitator_unavailable' || outcome.failure === 'store_unavailable')
      return x402ErrorCodes.paymentUnavailable
    if (outcome.stage === 'settle') return toX402ErrorCode(outcome.reason, 'settle')
  }
  return toX402ErrorCode(outcome.reason, 'verify')
}
