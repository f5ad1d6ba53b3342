import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk'
import type { RequestContext } from '@a2a-js/sdk/server'
import type { PaymentRequired, SettleResponse } from '@tollgate/core'
import { x402ExtensionUris } from '../extension.js'
import { readReceiptValues, x402MetadataKeys } from '../metadata.js'
import { publishTask, type TaskChannel } from './events.js'
import type { SkillRequest } from './skill.js'
import { type PaywallState, skillMetadataKey } from './state.js'
import { toWireChallenge, type WireVersion } from './wire.js'

/** One message being handled: the paywall, the task as stored, the skill it pays for. */
export type Turn = {
  state: PaywallState
  ctx: RequestContext
  channel: TaskChannel
  /** The task before this message; `undefined` when the message starts one. */
  task: Task | undefined
  message: Message
  skill: string
  /** The x402 URIs the client activated. */
  activated: readonly string[]
}

/** The version of a challenge to a client that sent no payment: v1 for a v0.1-only client. */
export function challengeVersion(turn: Turn): WireVersion {
  const { activated } = turn
  const onlyV01 =
    activated.includes(x402ExtensionUris['v0.1']) && !activated.includes(x402ExtensionUris['v0.2'])
  return onlyV01 ? 1 : turn.state.x402Version
}

/** Publishes the task first, as the SDK asks: the stored one, or a new one for this message. */
export function openTask(turn: Turn): void {
  const { channel, task, message, skill, state } = turn
  publishTask(
    channel,
    task ?? {
      id: channel.taskId,
      contextId: channel.contextId,
      status: {
        state: TaskState.TASK_STATE_SUBMITTED,
        message: undefined,
        timestamp: new Date(state.now()).toISOString(),
      },
      artifacts: [],
      history: [message],
      metadata: { [skillMetadataKey]: skill },
    },
  )
}

/** What the skill is asked: the task's first message from the client, or this one. */
export function skillRequest(turn: Turn): SkillRequest {
  const first = turn.task?.history.find((message) => message.role === Role.ROLE_USER)
  return { skill: turn.skill, message: first ?? turn.message, task: turn.task, context: turn.ctx }
}

/** The receipts of the task so far: those of its latest agent message that carries any. */
export function priorReceipts(task: Task | undefined): unknown[] {
  const messages = [
    ...(task?.history ?? []),
    ...(task?.status?.message ? [task.status.message] : []),
  ]
  for (let index = messages.length - 1; index >= 0; index--) {
    const receipts = readReceiptValues(messages[index]?.metadata)
    if (receipts.length > 0) return receipts
  }
  return []
}

/** The receipts to send: the task's, then this one. */
export function receiptsWith(turn: Turn, receipt: SettleResponse | undefined): unknown[] {
  const prior = priorReceipts(turn.task)
  return receipt ? [...prior, receipt] : prior
}

/** The `x402.payment.required` entry of a challenge in `version`. */
export function requiredEntry(
  turn: Turn,
  paymentRequired: PaymentRequired,
  { version, withError }: { version: WireVersion; withError: boolean },
): Record<string, unknown> {
  const outputSchema = turn.state.offers.get(turn.skill)?.outputSchema
  return {
    [x402MetadataKeys.required]: toWireChallenge(paymentRequired, {
      version,
      outputSchema,
      withError,
    }),
  }
}
