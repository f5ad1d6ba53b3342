import { type Message, type Task, TaskState } from '@a2a-js/sdk'
import {
  type PaymentRequired,
  type PaymentRequiredV1,
  paymentRequiredSchema,
  paymentRequiredV1Schema,
} from '@tollgate/core'
import type { Answer } from '@tollgate/payer'
import { readSettlementValue } from '@tollgate/payer'
import { TaskPaymentError } from '../errors.js'
import { readPaymentStatus, readReceiptValues, x402MetadataKeys } from '../metadata.js'

/** Whether an answer is a task (not a bare message). */
export function isTask(result: Message | Task): result is Task {
  return 'status' in result && 'history' in result
}

/** The task, when it asks for a payment in the standalone flow (`payment-required` and its object). */
export function askingPayment(result: Message | Task): Task | undefined {
  if (!isTask(result)) return undefined
  const metadata = result.status?.message?.metadata
  if (result.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED) return undefined
  if (readPaymentStatus(metadata) !== 'payment-required') return undefined
  return result
}

/**
 * The `PaymentRequired` of a task asking for payment: an x402 v2 or v1 object, checked against
 * its version's schema. Throws `TaskPaymentError` (nothing is signed) when it is missing (the
 * embedded AP2 flow, which this client does not pay) or malformed.
 */
export function readTaskChallenge(task: Task): PaymentRequired | PaymentRequiredV1 {
  const value = task.status?.message?.metadata?.[x402MetadataKeys.required]
  if (value === undefined)
    throw new TaskPaymentError({
      taskId: task.id,
      reason: `no \`${x402MetadataKeys.required}\` (an embedded flow is not paid by this client)`,
    })
  const version = (value as { x402Version?: unknown } | null)?.x402Version
  const schema = version === 1 ? paymentRequiredV1Schema : paymentRequiredSchema
  const parsed = schema.safeParse(value)
  if (!parsed.success)
    throw new TaskPaymentError({
      taskId: task.id,
      reason: `it is not an x402 v1 or v2 PaymentRequired`,
      cause: parsed.error,
    })
  return parsed.data as PaymentRequired | PaymentRequiredV1
}

/**
 * What the merchant's answer to a payment says, for the payer: `completed` with
 * `payment-completed` is delivered (200) with its last receipt; `payment-failed` (or a finished
 * task without a settlement) is a refusal (402), which the chain then confirms or not; anything
 * else (a task still working) is an answer without a settlement yet.
 */
export function readAnswer(result: Message | Task): Answer {
  if (!isTask(result)) return { status: 200, settlement: { present: false } }
  const metadata = result.status?.message?.metadata
  const last = readReceiptValues(metadata).at(-1)
  const settlement = readSettlementValue(last)
  const state = result.status?.state
  const paymentStatus = readPaymentStatus(metadata)
  if (state === TaskState.TASK_STATE_COMPLETED && paymentStatus === 'payment-completed')
    return { status: 200, settlement }
  if (
    paymentStatus === 'payment-failed' ||
    state === TaskState.TASK_STATE_INPUT_REQUIRED ||
    state === TaskState.TASK_STATE_FAILED ||
    state === TaskState.TASK_STATE_REJECTED ||
    state === TaskState.TASK_STATE_CANCELED
  )
    return { status: 402, settlement }
  return { status: state === TaskState.TASK_STATE_COMPLETED ? 200 : 202, settlement }
}
