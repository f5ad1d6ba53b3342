import { type Message, Role, type Task } from '@a2a-js/sdk'
import type { PaymentPayload, PaymentPayloadV1 } from '@tollgate/core'
import { x402MetadataKeys } from '../metadata.js'
import { textPart } from '../parts.js'

/** The message that pays a task: `payment-submitted` and the signed payload, on the task. */
export function paymentMessage(
  task: Pick<Task, 'id' | 'contextId'>,
  payload: PaymentPayload | PaymentPayloadV1,
): Message {
  return {
    messageId: crypto.randomUUID(),
    taskId: task.id,
    contextId: task.contextId,
    role: Role.ROLE_USER,
    parts: [textPart('Here is the payment authorization.')],
    metadata: {
      [x402MetadataKeys.status]: 'payment-submitted',
      [x402MetadataKeys.payload]: payload,
    },
    extensions: [],
    referenceTaskIds: [],
  }
}

/** The message that declines a task's payment (`payment-rejected`): nothing was signed. */
export function rejectionMessage(task: Pick<Task, 'id' | 'contextId'>): Message {
  return {
    messageId: crypto.randomUUID(),
    taskId: task.id,
    contextId: task.contextId,
    role: Role.ROLE_USER,
    parts: [textPart('Payment rejected.')],
    metadata: { [x402MetadataKeys.status]: 'payment-rejected' },
    extensions: [],
    referenceTaskIds: [],
  }
}

/**
 * A purchase's earlier payment sent again with the request itself (a new task): the merchant
 * finishes a pending settlement, or refuses an authorization already used.
 */
export function withPayment(message: Message, payload: PaymentPayload | PaymentPayloadV1): Message {
  return {
    ...message,
    messageId: crypto.randomUUID(),
    metadata: {
      ...message.metadata,
      [x402MetadataKeys.status]: 'payment-submitted',
      [x402MetadataKeys.payload]: payload,
    },
  }
}
