import { BaseError } from '@tollgate/core'

export type InvalidAuthorizationErrorType = InvalidAuthorizationError & {
  name: 'InvalidAuthorizationError'
}
/** An authorization field cannot be encoded (not an address, not a uint256, not 32 bytes). */
export class InvalidAuthorizationError extends BaseError {
  override name = 'InvalidAuthorizationError' as const
  /** The malformed field (`from`, `value`, `nonce`, `chainId`, ...). */
  readonly field: string
  /** Its value as given, cut to 80 characters. */
  readonly value: string
  constructor({ field, value }: { field: string; value: string }) {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value
    super(`Authorization field "${field}" is malformed.`, {
      code: 'TOLLGATE_EVM_INVALID_AUTHORIZATION',
      metaMessages: [`${field}: ${shown}`],
    })
    this.field = field
    this.value = shown
  }
}

export type MissingEip712DomainErrorType = MissingEip712DomainError & {
  name: 'MissingEip712DomainError'
}
/** The requirement has no `extra.name`/`extra.version` and the asset is not in the registry. */
export class MissingEip712DomainError extends BaseError {
  override name = 'MissingEip712DomainError' as const
  readonly asset: string
  readonly network: string
  constructor({ asset, network }: { asset: string; network: string }) {
    super('The EIP-712 domain (name, version) of the asset is unknown.', {
      code: 'TOLLGATE_EVM_MISSING_EIP712_DOMAIN',
      metaMessages: [
        `asset: ${asset}`,
        `network: ${network}`,
        'Set requirements.extra.name and extra.version, or pass an `assets` registry with the token.',
      ],
    })
    this.asset = asset
    this.network = network
  }
}

export type AccountNotFoundErrorType = AccountNotFoundError & { name: 'AccountNotFoundError' }
/**
 * A signature or a transaction needs an account and the wallet client has none (the one class for
 * every package: `@tollgate/identity` throws it too).
 */
export class AccountNotFoundError extends BaseError {
  override name = 'AccountNotFoundError' as const
  /** What needed the account (`registerAgent`, `signAuthorization`), when the caller says. */
  readonly action: string | undefined
  constructor({ action }: { action?: string | undefined } = {}) {
    super(
      action
        ? `${action} needs an account: the wallet client has none.`
        : 'The wallet client has no account.',
      {
        code: 'TOLLGATE_EVM_ACCOUNT_NOT_FOUND',
        metaMessages: [
          'Create the wallet client with an `account`, or pass `account` (a viem Account).',
        ],
      },
    )
    this.action = action
  }
}

export type NoExactEvmRequirementsErrorType = NoExactEvmRequirementsError & {
  name: 'NoExactEvmRequirementsError'
}
/** A 402 challenge offers no `exact` requirement on an EVM network. */
export class NoExactEvmRequirementsError extends BaseError {
  override name = 'NoExactEvmRequirementsError' as const
  /** The options that were offered, by scheme and network. */
  readonly offered: readonly { scheme: string; network: string }[]
  constructor({ offered }: { offered: readonly { scheme: string; network: string }[] }) {
    super('No "exact" payment requirement on an EVM network was offered.', {
      code: 'TOLLGATE_EVM_NO_EXACT_REQUIREMENTS',
      metaMessages: [
        `offered: ${offered.map((r) => `${r.scheme}@${r.network}`).join(', ') || '(none)'}`,
      ],
    })
    this.offered = offered.map(({ scheme, network }) => ({ scheme, network }))
  }
}

export type ChainMismatchErrorType = ChainMismatchError & { name: 'ChainMismatchError' }
/** The client is connected to another chain than the payment's network. */
export class ChainMismatchError extends BaseError {
  override name = 'ChainMismatchError' as const
  /** The payment's chain id. */
  readonly expected: number
  /** The client's chain id. */
  readonly actual: number
  constructor({ expected, actual }: { expected: number; actual: number }) {
    super(`The client is on chain ${actual}, the payment is for chain ${expected}.`, {
      code: 'TOLLGATE_EVM_CHAIN_MISMATCH',
    })
    this.expected = expected
    this.actual = actual
  }
}

export type NotATokenErrorType = NotATokenError & { name: 'NotATokenError' }
/** The contract does not answer the ERC-20 `symbol()` / `decimals()` reads. */
export class NotATokenError extends BaseError {
  override name = 'NotATokenError' as const
  readonly address: string
  constructor({ address, cause }: { address: string; cause?: unknown }) {
    super('The contract does not answer symbol() and decimals(): it is not an ERC-20 token.', {
      code: 'TOLLGATE_EVM_NOT_A_TOKEN',
      metaMessages: [`address: ${address}`],
      cause,
    })
    this.address = address
  }
}

export type MissingFacilitatorAddressErrorType = MissingFacilitatorAddressError & {
  name: 'MissingFacilitatorAddressError'
}
/**
 * An `upto` requirement without `extra.facilitatorAddress`: the payer's signature must name the one
 * facilitator allowed to settle it, and the server copies it from its facilitator's `/supported`.
 */
export class MissingFacilitatorAddressError extends BaseError {
  override name = 'MissingFacilitatorAddressError' as const
  readonly network: string
  constructor({ network }: { network: string }) {
    super('The upto requirement names no facilitator (extra.facilitatorAddress).', {
      code: 'TOLLGATE_EVM_MISSING_FACILITATOR_ADDRESS',
      metaMessages: [
        `network: ${network}`,
        "The server copies it from its facilitator's /supported kinds[].extra.facilitatorAddress.",
      ],
    })
    this.network = network
  }
}
