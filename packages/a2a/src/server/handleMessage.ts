import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk'
import { AgentEvent, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server'
import { readPaymentStatus, x402MetadataKeys } from '../metadata.js'
import { textPart } from '../parts.js'
import { activateX402 } from './activation.js'
import { challenge } from './challenge.js'
import {
  agentMessage,
  publishStatus,
  publishTask,
  type TaskChannel,
  terminalStates,
} from './events.js'
import { pay } from './pay.js'
import { type PaywallState, skillMetadataKey } from './state.js'
import { openTask, priorReceipts, type Turn } from './turn.js'

/**
 * One message to the paid agent, under its task's lock: a finished task is answered as it
 * stands; a rejection cancels the task; a payment is paid; anything else is asked for payment.
 */
export async function handleMessage(
  state: PaywallState,
  ctx: RequestContext,
  bus: ExecutionEventBus,
): Promise<void> {
  const activated = activateX402(ctx.context)
  const channel: TaskChannel = { bus, taskId: ctx.taskId, contextId: ctx.contextId, now: state.now }
  // Read again under the lock: a message handled just before may have finished the task.
  const task = ctx.task && ((await state.taskStore.load(ctx.taskId, ctx.context)) ?? ctx.task)
  if (task?.status && terminalStates.includes(task.status.state))
    return answerFinished(channel, task)
  const message = ctx.userMessage
  const skill = skillOf(state, task, message)
  if (skill === undefined) return noSkill(channel, message)
  const turn: Turn = { state, ctx, channel, task, message, skill, activated }
  if (readPaymentStatus(message.metadata) === 'payment-rejected') return rejected(turn)
  const payload = message.metadata?.[x402MetadataKeys.payload]
  if (payload === undefined) return challenge(turn)
  return pay(turn, payload)
}

function skillOf(state: PaywallState, task: Task | undefined, message: Message) {
  const recorded = task?.metadata?.[skillMetadataKey]
  if (typeof recorded === 'string' && recorded in state.skills) return recorded
  const first = task?.history.find((entry) => entry.role === Role.ROLE_USER) ?? message
  const selected = state.select(first, task)
  return selected !== undefined && selected in state.skills ? selected : undefined
}

/** A finished task (a payment sent again after it completed): its final state, unchanged. */
function answerFinished(channel: TaskChannel, task: Task): void {
  publishTask(channel, task)
  channel.bus.publish(
    AgentEvent.statusUpdate({
      taskId: task.id,
      contextId: task.contextId,
      status: task.status,
      metadata: undefined,
    }),
  )
}

/** The client declined to pay: the task is canceled, nothing charged. */
function rejected(turn: Turn): void {
  openTask(turn)
  const receipts = priorReceipts(turn.task)
  publishStatus(
    turn.channel,
    TaskState.TASK_STATE_CANCELED,
    agentMessage(turn.channel, 'Payment rejected: nothing was charged.', {
      [x402MetadataKeys.status]: 'payment-rejected',
      ...(receipts.length > 0 ? { [x402MetadataKeys.receipts]: receipts } : {}),
    }),
  )
}

/** A message no paid skill answers: a plain reply, no task. */
function noSkill(channel: TaskChannel, message: Message): void {
  channel.bus.publish(
    AgentEvent.message({
      messageId: crypto.randomUUID(),
      taskId: '',
      contextId: channel.contextId,
      role: Role.ROLE_AGENT,
      parts: [textPart('No paid skill of this agent answers this message.')],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: message.referenceTaskIds,
    }),
  )
}
