import { BaseError } from '@tollgate/core'

export type UsageErrorType = UsageError & { name: 'UsageError' }

/** The command line cannot be understood (exit code 2). */
export class UsageError extends BaseError {
  override name = 'UsageError' as const
  /** What to do about it (`Run with --help for usage.`), when there is advice. */
  readonly hint: string | undefined

  constructor({ message, hint }: { message: string; hint?: string | undefined }) {
    super(message, { code: 'TOLLGATE_CLI_USAGE', ...(hint ? { metaMessages: [hint] } : {}) })
    this.hint = hint
  }
}

/** One invalid field of a configuration: where it is and why it is wrong. */
export type ConfigIssue = { path: string; message: string }

export type ConfigErrorType = ConfigError & { name: 'ConfigError' }

/** A configuration (flags, environment, file) is invalid (exit code 2); lists every issue. */
export class ConfigError extends BaseError {
  override name = 'ConfigError' as const
  readonly issues: readonly ConfigIssue[]
  /** Where the configuration came from (a file path), when it is one source. */
  readonly source: string | undefined

  constructor({
    issues,
    source,
  }: {
    issues: readonly ConfigIssue[]
    source?: string | undefined
  }) {
    super(
      `Invalid configuration${source ? ` (${source})` : ''}: ${issues.length} problem${issues.length === 1 ? '' : 's'}.`,
      {
        code: 'TOLLGATE_CLI_CONFIG',
        metaMessages: issues.map((issue) => `- ${issue.path || '(root)'}: ${issue.message}`),
      },
    )
    this.issues = issues
    this.source = source
  }
}

/** Why no key could be used: none given, its file unreadable, or its text not a key. */
export type KeyErrorReason = 'missing' | 'unreadable' | 'malformed'

export type KeyErrorType = KeyError & { name: 'KeyError' }

/** No usable private key (missing, unreadable or malformed); never shows the key's content. */
export class KeyError extends BaseError {
  override name = 'KeyError' as const
  readonly reason: KeyErrorReason
  /** The key file's path as given, when the key was to come from a file. */
  readonly keyFile: string | undefined
  /** The variable read (`TOLLGATE_PRIVATE_KEY`), when the key was to come from the environment. */
  readonly variable: string | undefined
  /** The file system's error code (`ENOENT`), for an unreadable file. */
  readonly fileError: string | undefined

  constructor({
    reason,
    keyFile,
    variable,
    fileError,
  }: {
    reason: KeyErrorReason
    keyFile?: string | undefined
    variable?: string | undefined
    fileError?: string | undefined
  }) {
    // Never a cause: a parse error may quote the file's content.
    super(keyMessage({ reason, keyFile, variable, fileError }), { code: 'TOLLGATE_CLI_KEY' })
    this.reason = reason
    this.keyFile = keyFile
    this.variable = variable
    this.fileError = fileError
  }
}

function keyMessage({
  reason,
  keyFile,
  variable,
  fileError,
}: {
  reason: KeyErrorReason
  keyFile: string | undefined
  variable: string | undefined
  fileError: string | undefined
}): string {
  if (reason === 'missing') return `No private key: pass --key-file <path> or set ${variable}.`
  if (reason === 'unreadable')
    return `Cannot read the key file ${keyFile}${fileError === 'ENOENT' ? ': no such file' : fileError ? ` (${fileError})` : ''}.`
  return `${keyFile === undefined ? variable : `The key file ${keyFile}`} does not hold a private key (64 hex digits, 0x optional).`
}

export type AssetUnreadableErrorType = AssetUnreadableError & { name: 'AssetUnreadableError' }

/**
 * A token named by `--asset` (or `TOLLGATE_USDC`) could not be read on-chain, so its decimals are
 * unknown and no amount in whole units (`--max`) can be applied to it: nothing is signed.
 */
export class AssetUnreadableError extends BaseError {
  override name = 'AssetUnreadableError' as const
  readonly asset: string

  constructor({ asset, cause }: { asset: string; cause: unknown }) {
    super(`Cannot read the token ${asset} on-chain (its decimals and EIP-712 domain).`, {
      code: 'TOLLGATE_CLI_ASSET_UNREADABLE',
      metaMessages: [
        'Check --rpc (or TOLLGATE_RPC_URL): it must serve the chain the token lives on.',
      ],
      cause,
    })
    this.asset = asset
  }
}

/** A step of `tollgate dev`'s buyer that found the devnet not as it set it up. */
export type DevScenarioStep = 'find' | 'service' | 'domain' | 'wallet' | 'settlement'

export type DevScenarioErrorType = DevScenarioError & { name: 'DevScenarioError' }

/** `tollgate dev`'s scripted run went off its script (a bug in the stack, or an interruption). */
export class DevScenarioError extends BaseError {
  override name = 'DevScenarioError' as const
  readonly step: DevScenarioStep

  constructor({ step, message }: { step: DevScenarioStep; message: string }) {
    super(message, { code: 'TOLLGATE_CLI_DEV_SCENARIO' })
    this.step = step
  }
}

export type InterruptedErrorType = InterruptedError & { name: 'InterruptedError' }

/** A command was stopped (SIGINT, SIGTERM, an aborted signal) before it finished. */
export class InterruptedError extends BaseError {
  override name = 'InterruptedError' as const

  constructor({ cause }: { cause?: unknown } = {}) {
    super('Interrupted.', { code: 'TOLLGATE_CLI_INTERRUPTED', cause })
  }
}
