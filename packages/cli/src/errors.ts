import { BaseError } from '@tollgate/core'

export type UsageErrorType = UsageError & { name: 'UsageError' }

/** The command line cannot be understood (exit code 2). */
export class UsageError extends BaseError {
  override name = 'UsageError' as const

  constructor(message: string, { hint }: { hint?: string | undefined } = {}) {
    super(message, { code: 'TOLLGATE_CLI_USAGE', ...(hint ? { metaMessages: [hint] } : {}) })
  }
}

/** One invalid field of a configuration: where it is and why it is wrong. */
export type ConfigIssue = { path: string; message: string }

export type ConfigErrorType = ConfigError & { name: 'ConfigError' }

/** A configuration (flags, environment, file) is invalid (exit code 2); lists every issue. */
export class ConfigError extends BaseError {
  override name = 'ConfigError' as const
  readonly issues: readonly ConfigIssue[]

  constructor(issues: readonly ConfigIssue[], { source }: { source?: string | undefined } = {}) {
    super(
      `Invalid configuration${source ? ` (${source})` : ''}: ${issues.length} problem${issues.length === 1 ? '' : 's'}.`,
      {
        code: 'TOLLGATE_CLI_CONFIG',
        metaMessages: issues.map((issue) => `- ${issue.path || '(root)'}: ${issue.message}`),
      },
    )
    this.issues = issues
  }
}

export type KeyErrorType = KeyError & { name: 'KeyError' }

/** No usable private key (missing, unreadable or malformed); never shows the key's content. */
export class KeyError extends BaseError {
  override name = 'KeyError' as const

  constructor(message: string, { cause }: { cause?: unknown } = {}) {
    // The cause may quote the file's content (a parse error): keep only its class.
    super(message, {
      code: 'TOLLGATE_CLI_KEY',
      details: cause instanceof Error ? cause.name : '',
    })
  }
}
