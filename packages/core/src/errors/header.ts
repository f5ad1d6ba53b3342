import type { z } from 'zod'
import { BaseError } from './base.js'

/** The type of {@link HeaderTooLargeError}. */
export type HeaderTooLargeErrorType = HeaderTooLargeError & { name: 'HeaderTooLargeError' }

/** A header value is longer than the configured limit; it was not decoded. */
export class HeaderTooLargeError extends BaseError {
  override name = 'HeaderTooLargeError' as const
  /** Length of the header value, in bytes. */
  size: number
  /** The limit it exceeded. */
  maxBytes: number

  constructor({ size, maxBytes }: { size: number; maxBytes: number }) {
    super(`Header value is ${size} bytes, more than the ${maxBytes} allowed.`, {
      code: 'TOLLGATE_HEADER_TOO_LARGE',
    })
    this.size = size
    this.maxBytes = maxBytes
  }
}

/** Why a header value is not strict base64. */
export type InvalidBase64Reason = 'not_a_string' | 'length' | 'alphabet' | 'non_canonical'

/** The type of {@link InvalidBase64Error}. */
export type InvalidBase64ErrorType = InvalidBase64Error & { name: 'InvalidBase64Error' }

/** A header value is not standard, padded base64 (`A-Z a-z 0-9 + /`, `=` padding, no spaces). */
export class InvalidBase64Error extends BaseError {
  override name = 'InvalidBase64Error' as const
  /** What is wrong with the value. */
  reason: InvalidBase64Reason

  constructor({ reason }: { reason: InvalidBase64Reason }) {
    super('Header value is not standard padded base64.', {
      code: 'TOLLGATE_HEADER_BASE64',
      metaMessages: [
        reason === 'not_a_string'
          ? 'The value is not a string.'
          : reason === 'length'
            ? 'Its length is not a multiple of 4 (padding missing or truncated).'
            : reason === 'alphabet'
              ? 'It holds a character outside A-Z a-z 0-9 + / or misplaced "=" padding.'
              : 'Its last character has unused bits set (not the canonical encoding).',
      ],
    })
    this.reason = reason
  }
}

/** The type of {@link InvalidJsonError}. */
export type InvalidJsonErrorType = InvalidJsonError & { name: 'InvalidJsonError' }

/** A header value does not hold UTF-8 JSON (or a value cannot be written as JSON). */
export class InvalidJsonError extends BaseError {
  override name = 'InvalidJsonError' as const

  constructor({
    message = 'Header value is not UTF-8 JSON.',
    cause,
  }: {
    message?: string | undefined
    cause?: unknown
  } = {}) {
    super(message, { code: 'TOLLGATE_HEADER_JSON', cause })
  }
}

/** The type of {@link SchemaValidationError}. */
export type SchemaValidationErrorType = SchemaValidationError & { name: 'SchemaValidationError' }

/** A decoded value does not match the x402 schema it was read as; `issues` lists why. */
export class SchemaValidationError extends BaseError {
  override name = 'SchemaValidationError' as const
  /** The zod issues (paths and messages; they never quote the input). */
  issues: z.core.$ZodIssue[]

  constructor({
    issues,
    what = 'Value',
    cause,
  }: {
    issues: z.core.$ZodIssue[]
    what?: string | undefined
    cause?: unknown
  }) {
    super(`${what} does not match the x402 schema.`, {
      code: 'TOLLGATE_SCHEMA',
      cause,
      metaMessages: formatIssues(issues),
    })
    this.issues = issues
  }
}

// A handful of lines is enough to act on; a hostile value can produce thousands of issues.
function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  const lines = issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)'
    return `- ${path}: ${issue.message}`
  })
  if (issues.length > 5) lines.push(`- ... and ${issues.length - 5} more`)
  return lines
}
