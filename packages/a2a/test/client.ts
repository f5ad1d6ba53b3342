import { type Message, Role, type Task } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import type { SendMessageParameters } from '../src/exports/client.js'
import { x402MetadataKeys } from '../src/exports/index.js'

/** An SDK client of the merchant at `url`, from its card. */
export function connect(url: string) {
  return new ClientFactory().createFromUrl(url)
}

/** A request for the forecast, on a new task. */
export function forecastRequest(text = 'Forecast for Oslo, please.'): SendMessageParameters {
  return {
    tenant: '',
    message: {
      messageId: crypto.randomUUID(),
      taskId: '',
      contextId: '',
      role: Role.ROLE_USER,
      parts: [
        {
          content: { $case: 'text', value: text },
          metadata: undefined,
          filename: '',
          mediaType: '',
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  }
}

/** The `x402.payment.status` of every message of a task's history that has one, in order. */
export function statusesOf(task: Task): string[] {
  return task.history
    .map((message: Message) => message.metadata?.[x402MetadataKeys.status])
    .filter((status): status is string => typeof status === 'string')
}

/** The status message's metadata of a task. */
export function statusMetadata(result: Message | Task): Record<string, unknown> {
  return ('status' in result ? result.status?.message?.metadata : undefined) ?? {}
}
