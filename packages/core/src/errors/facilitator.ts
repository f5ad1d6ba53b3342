import { BaseError } from './base.js'

/** The facilitator call that failed. */
export type FacilitatorOperation = 'verify' | 'settle' | 'supported' | 'status'

/** The type of {@link FacilitatorError}. */
export type FacilitatorErrorType = FacilitatorError & { name: 'FacilitatorError' }

/** A facilitator call failed without a usable Verify/Settle/Supported response. */
export class FacilitatorError extends BaseError {
  override name: 'FacilitatorError' | 'FacilitatorTimeoutError' = 'FacilitatorError'
  /** `verify`, `settle`, `supported` or `status` (a Tollgate facilitator's status endpoint). */
  operation: FacilitatorOperation
  /** The HTTP status, when a response arrived. */
  status: number | undefined
  /** The start of the response body (at most 200 characters), when one arrived. */
  body: string | undefined

  constructor({
    operation,
    url,
    status,
    body,
    reason,
    cause,
    code = 'TOLLGATE_FACILITATOR',
  }: {
    operation: FacilitatorOperation
    url: string
    status?: number | undefined
    body?: string | undefined
    reason: string
    cause?: unknown
    code?: string | undefined
  }) {
    const excerpt = body === undefined ? undefined : excerptOf(body)
    super(`Facilitator ${operation} failed: ${reason}`, {
      code,
      cause,
      metaMessages: [
        `URL: ${url}`,
        ...(status === undefined ? [] : [`Status: ${status}`]),
        ...(excerpt === undefined ? [] : [`Body: ${excerpt}`]),
      ],
    })
    this.operation = operation
    this.status = status
    this.body = excerpt
  }
}

/** The type of {@link FacilitatorTimeoutError}. */
export type FacilitatorTimeoutErrorType = FacilitatorTimeoutError & {
  name: 'FacilitatorTimeoutError'
}

/**
 * A facilitator call exceeded its timeout. For `settle` the outcome is unknown (the
 * facilitator may still settle): reconcile, never pay again.
 */
export class FacilitatorTimeoutError extends FacilitatorError {
  override name = 'FacilitatorTimeoutError' as const
  /** The timeout that elapsed, in milliseconds. */
  timeoutMs: number

  constructor({
    operation,
    url,
    timeoutMs,
    cause,
  }: {
    operation: FacilitatorOperation
    url: string
    timeoutMs: number
    cause?: unknown
  }) {
    super({
      operation,
      url,
      reason: `no response within ${timeoutMs} ms.`,
      cause,
      code: 'TOLLGATE_FACILITATOR_TIMEOUT',
    })
    this.timeoutMs = timeoutMs
  }
}

function excerptOf(body: string): string {
  const compact = body.slice(0, 1000).trim().replace(/\s+/g, ' ')
  if (!compact) return '<empty>'
  return compact.length > 200 ? `${compact.slice(0, 197)}...` : compact
}
