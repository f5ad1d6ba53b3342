import { type Artifact, type Message, Role, type Task, TaskState } from '@a2a-js/sdk'
import { AgentEvent, type ExecutionEventBus } from '@a2a-js/sdk/server'
import { textPart } from '../parts.js'

/** Where a task's events go: its bus and ids. */
export type TaskChannel = {
  bus: ExecutionEventBus
  taskId: string
  contextId: string
  /** The paywall's clock (ms), for status timestamps. */
  now: () => number
}

/** An agent message of the task carrying x402 metadata. */
export function agentMessage(
  { taskId, contextId }: Pick<TaskChannel, 'taskId' | 'contextId'>,
  text: string,
  metadata: Record<string, unknown>,
): Message {
  return {
    messageId: crypto.randomUUID(),
    taskId,
    contextId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata,
    extensions: [],
    referenceTaskIds: [],
  }
}

/**
 * Publishes the task as it stands: the SDK wants a task (or message) as the first event of every
 * turn. A message sent twice is kept once in its history.
 */
export function publishTask(channel: TaskChannel, task: Task): void {
  const seen = new Set<string>()
  const history = task.history.filter((message) => {
    if (seen.has(message.messageId)) return false
    seen.add(message.messageId)
    return true
  })
  channel.bus.publish(AgentEvent.task({ ...task, history }))
}

/** Publishes a status change; its message joins the task's history. */
export function publishStatus(channel: TaskChannel, state: TaskState, message: Message): void {
  channel.bus.publish(
    AgentEvent.statusUpdate({
      taskId: channel.taskId,
      contextId: channel.contextId,
      status: { state, message, timestamp: new Date(channel.now()).toISOString() },
      metadata: undefined,
    }),
  )
}

/** Publishes the work's artifacts, each whole. */
export function publishArtifacts(channel: TaskChannel, artifacts: readonly Artifact[]): void {
  for (const artifact of artifacts)
    channel.bus.publish(
      AgentEvent.artifactUpdate({
        taskId: channel.taskId,
        contextId: channel.contextId,
        artifact,
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    )
}

/** The states after which the SDK accepts no message for the task. */
export const terminalStates: readonly TaskState[] = [
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]
