import { BaseError } from '@tollgate/core'

/** A `PaidSkillConfigurationError`, narrowed by its `name`. */
export type PaidSkillConfigurationErrorType = PaidSkillConfigurationError & {
  name: 'PaidSkillConfigurationError'
}

/** The paid skills of an A2A paywall cannot be served as written (thrown by `createA2APaywall`). */
export class PaidSkillConfigurationError extends BaseError {
  override name = 'PaidSkillConfigurationError' as const
  /** What is wrong. */
  reason: string

  constructor({ reason, cause }: { reason: string; cause?: unknown }) {
    super(`The A2A paywall is misconfigured: ${reason}.`, {
      code: 'TOLLGATE_A2A_CONFIGURATION',
      docsPath: '/providers/a2a',
      cause,
    })
    this.reason = reason
  }
}

/** A `TaskPaymentError`, narrowed by its `name`. */
export type TaskPaymentErrorType = TaskPaymentError & { name: 'TaskPaymentError' }

/**
 * A task asked for a payment the client could not read (no `x402.payment.required`, or one that
 * is neither an x402 v1 nor v2 `PaymentRequired`). Nothing was signed.
 */
export class TaskPaymentError extends BaseError {
  override name = 'TaskPaymentError' as const
  /** The task that asked. */
  taskId: string
  /** What is wrong with its payment requirement. */
  reason: string

  constructor({ taskId, reason, cause }: { taskId: string; reason: string; cause?: unknown }) {
    super(`Task ${taskId} asks for a payment that cannot be read: ${reason}.`, {
      code: 'TOLLGATE_A2A_PAYMENT_REQUIRED',
      metaMessages: [`Task: ${taskId}`],
      docsPath: '/agents/a2a',
      cause,
    })
    this.taskId = taskId
    this.reason = reason
  }
}
