import { BaseError } from '@tollgate/core'

export type DevnetErrorType = DevnetError & { name: 'DevnetError' }

/** Base of the devnet's errors: a literal `name`, a stable `code` and a one-line `shortMessage`. */
export class DevnetError extends BaseError {
  override name: string = 'DevnetError'

  constructor({
    shortMessage,
    code,
    details,
    cause,
  }: {
    shortMessage: string
    code: string
    /** What went wrong, in our words; shown even when `cause` brings its own details. */
    details?: string | undefined
    cause?: unknown
  }) {
    super(shortMessage, {
      code,
      cause,
      ...(cause === undefined ? { details } : { metaMessages: details ? [details] : undefined }),
    })
  }
}

export type AnvilNotFoundErrorType = AnvilNotFoundError & { name: 'AnvilNotFoundError' }
/** The anvil binary is not installed for this platform. */
export class AnvilNotFoundError extends DevnetError {
  override name = 'AnvilNotFoundError' as const
  constructor({ details, cause }: { details: string; cause?: unknown }) {
    super({
      shortMessage: 'Anvil is not installed: add `@foundry-rs/anvil` as a dev dependency.',
      code: 'TOLLGATE_DEVNET_ANVIL_NOT_FOUND',
      details,
      cause,
    })
  }
}

export type AnvilStartErrorType = AnvilStartError & { name: 'AnvilStartError' }
/** Anvil exited or did not answer before it was ready. */
export class AnvilStartError extends DevnetError {
  override name = 'AnvilStartError' as const
  constructor({ details, cause }: { details: string; cause?: unknown }) {
    super({
      shortMessage: 'Anvil failed to start.',
      code: 'TOLLGATE_DEVNET_ANVIL_START',
      details,
      cause,
    })
  }
}

export type DevnetSetupErrorType = DevnetSetupError & { name: 'DevnetSetupError' }
/** A setup transaction (deployment, mint) of the devnet failed. */
export class DevnetSetupError extends DevnetError {
  override name = 'DevnetSetupError' as const
  /** The transaction that reverted, when one did (not when transactions were never mined). */
  readonly transactionHash: `0x${string}` | undefined
  constructor({
    transactionHash,
    details,
  }: {
    transactionHash?: `0x${string}` | undefined
    /** What failed when it was no transaction (placing a contract's code). */
    details?: string | undefined
  }) {
    super({
      shortMessage: 'A devnet setup transaction failed.',
      code: 'TOLLGATE_DEVNET_SETUP',
      details:
        details ??
        (transactionHash
          ? `transaction ${transactionHash} reverted`
          : 'setup transactions were not mined'),
    })
    this.transactionHash = transactionHash
  }
}

export type InvalidDevnetOptionErrorType = InvalidDevnetOptionError & {
  name: 'InvalidDevnetOptionError'
}
/** An option of `startDevnet` is out of range. */
export class InvalidDevnetOptionError extends DevnetError {
  override name = 'InvalidDevnetOptionError' as const
  /** The option's name (`accounts`, `blockTime`, `mint`). */
  readonly option: string
  /** What it must be. */
  readonly expected: string
  constructor({ option, expected }: { option: string; expected: string }) {
    super({ shortMessage: `\`${option}\` must be ${expected}.`, code: 'TOLLGATE_DEVNET_OPTIONS' })
    this.option = option
    this.expected = expected
  }
}

export type ContractNotFoundErrorType = ContractNotFoundError & { name: 'ContractNotFoundError' }
/** `placeUsdcAt` was asked to copy from an address that holds no contract. */
export class ContractNotFoundError extends DevnetError {
  override name = 'ContractNotFoundError' as const
  readonly address: string
  constructor({ address }: { address: string }) {
    super({ shortMessage: `No contract at ${address} to copy.`, code: 'TOLLGATE_DEVNET_COPY' })
    this.address = address
  }
}
