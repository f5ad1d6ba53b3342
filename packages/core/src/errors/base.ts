/** The brand every Tollgate error carries; `Symbol.for` so two installed copies agree. */
const brand = Symbol.for('tollgate.error')

/** Options every Tollgate error accepts. */
export type BaseErrorParameters = {
  /** The error (or value) that caused this one. */
  cause?: unknown | undefined
  /** Technical detail; taken from `cause` when it is an error. */
  details?: string | undefined
  /** Lines of context (the values that explain the failure). */
  metaMessages?: string[] | undefined
  /** Path of the guide that explains the failure, relative to the docs root. */
  docsPath?: string | undefined
  /** Stable machine-readable code, e.g. `TOLLGATE_HEADER_BASE64`. */
  code?: string | undefined
}

/** The base error type of every Tollgate error. */
export type BaseErrorType = BaseError & { name: 'TollgateError' }

/** Every error Tollgate throws extends this class (after viem's `BaseError`). */
export class BaseError extends Error {
  override name = 'TollgateError'
  /** Stable machine-readable code (never reworded). */
  code: string
  /** One line a user can act on. */
  shortMessage: string
  /** Technical detail, usually the message of `cause`. */
  details: string
  /** Lines of context printed under the short message. */
  metaMessages: string[] | undefined
  /** Path of the guide that explains the failure. */
  docsPath: string | undefined
  override cause: unknown

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const { cause, docsPath, metaMessages, code = 'TOLLGATE_ERROR' } = parameters
    const details =
      cause instanceof BaseError
        ? cause.details
        : cause instanceof Error
          ? cause.message
          : (parameters.details ?? '')
    const message = [
      shortMessage || 'An error occurred.',
      ...(metaMessages?.length ? ['', ...metaMessages] : []),
      ...(docsPath || details ? [''] : []),
      ...(docsPath ? [`Docs: https://tollgate.dev/docs${docsPath}`] : []),
      ...(details ? [`Details: ${details}`] : []),
    ].join('\n')
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = metaMessages
    this.docsPath = docsPath
    this.cause = cause
    Object.defineProperty(this, brand, { value: true, enumerable: false })
  }

  /**
   * Follows the `cause` chain: returns the first error `fn` accepts (or `null`), or, without
   * `fn`, the deepest error of the chain.
   */
  walk(fn?: ((error: unknown) => boolean) | undefined): unknown {
    return walk(this, fn)
  }
}

function walk(error: unknown, fn?: ((error: unknown) => boolean) | undefined): unknown {
  // Bounded, so a cyclic `cause` chain cannot spin forever.
  let current: unknown = error
  for (let depth = 0; depth < 100; depth++) {
    if (fn?.(current)) return current
    const next =
      current && typeof current === 'object' && 'cause' in current ? current.cause : undefined
    if (next === undefined || next === null) return fn ? null : current
    current = next
  }
  return fn ? null : current
}

/** Whether `error` is a Tollgate error, from this copy of the package or any other. */
export function isTollgateError(error: unknown): error is BaseError {
  return (
    typeof error === 'object' && error !== null && (error as { [brand]?: unknown })[brand] === true
  )
}

/**
 * A short, never-throwing rendering of an untrusted value for error messages: strings quoted
 * and cut to `maxLength`, objects by type only (their `toString` may be hostile).
 */
export function formatValue(value: unknown, maxLength = 80): string {
  switch (typeof value) {
    case 'string': {
      const cut = value.length > maxLength ? `${value.slice(0, maxLength - 3)}...` : value
      return JSON.stringify(cut)
    }
    case 'bigint': {
      const text = `${value}n`
      return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text
    }
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value)
    case 'symbol':
      return 'a symbol'
    case 'function':
      return 'a function'
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
  }
}
