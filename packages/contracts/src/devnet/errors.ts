/**
 * Base of the devnet's errors: a literal `name`, a stable `code` and a one-line `shortMessage`.
 * (Standalone until `@tollgate/core` exposes `BaseError`; `@tollgate/contracts` does not depend on core.)
 */
export class DevnetError extends Error {
  override name = 'DevnetError'
  readonly code: string
  readonly shortMessage: string

  constructor(
    shortMessage: string,
    { code, details, cause }: { code: string; details?: string | undefined; cause?: unknown },
  ) {
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause })
    this.code = code
    this.shortMessage = shortMessage
  }
}

export type AnvilNotFoundErrorType = AnvilNotFoundError & { name: 'AnvilNotFoundError' }
/** The anvil binary is not installed for this platform. */
export class AnvilNotFoundError extends DevnetError {
  override name = 'AnvilNotFoundError' as const
  constructor({ details, cause }: { details: string; cause?: unknown }) {
    super('Anvil is not installed: add `@foundry-rs/anvil` as a dev dependency.', {
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
    super('Anvil failed to start.', { code: 'TOLLGATE_DEVNET_ANVIL_START', details, cause })
  }
}

export type DevnetSetupErrorType = DevnetSetupError & { name: 'DevnetSetupError' }
/** A setup transaction (deployment, mint) of the devnet failed. */
export class DevnetSetupError extends DevnetError {
  override name = 'DevnetSetupError' as const
  constructor({ details, cause }: { details: string; cause?: unknown }) {
    super('A devnet setup transaction failed.', { code: 'TOLLGATE_DEVNET_SETUP', details, cause })
  }
}
