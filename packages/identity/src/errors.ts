import { BaseError } from '@tollgate/core'
import type { Address, Hash } from 'viem'

/** A short, never-throwing rendering of an untrusted string for error messages. */
function excerpt(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value
}

/** One line per schema issue, `path: message`, at most 8. */
function formatIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string[] {
  const lines = issues
    .slice(0, 8)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
  if (issues.length > 8) lines.push(`... and ${issues.length - 8} more`)
  return lines
}

export type InvalidRegistrationFileErrorType = InvalidRegistrationFileError & {
  name: 'InvalidRegistrationFileError'
}
/** A registration file does not match ERC-8004's shape (or is not JSON). */
export class InvalidRegistrationFileError extends BaseError {
  override name = 'InvalidRegistrationFileError' as const
  /** The schema issues (empty when the input was not JSON). */
  readonly issues: readonly { path: PropertyKey[]; message: string }[]
  constructor({
    issues = [],
    cause,
  }: {
    issues?: readonly { path: PropertyKey[]; message: string }[] | undefined
    cause?: unknown
  }) {
    super('The agent registration file is invalid.', {
      code: 'TOLLGATE_IDENTITY_INVALID_REGISTRATION_FILE',
      metaMessages: issues.length > 0 ? formatIssues(issues) : undefined,
      cause,
    })
    this.issues = issues
  }
}

export type InvalidFeedbackFileErrorType = InvalidFeedbackFileError & {
  name: 'InvalidFeedbackFileError'
}
/** A feedback file misses one of ERC-8004's MUST fields or has a malformed one. */
export class InvalidFeedbackFileError extends BaseError {
  override name = 'InvalidFeedbackFileError' as const
  readonly issues: readonly { path: PropertyKey[]; message: string }[]
  constructor({ issues }: { issues: readonly { path: PropertyKey[]; message: string }[] }) {
    super('The feedback file is invalid.', {
      code: 'TOLLGATE_IDENTITY_INVALID_FEEDBACK_FILE',
      metaMessages: formatIssues(issues),
    })
    this.issues = issues
  }
}

/** Why a document could not be fetched. */
export type FetchDocumentFailure =
  | 'scheme'
  | 'data_uri'
  | 'status'
  | 'too_large'
  | 'timeout'
  | 'network'
  | 'redirect'

const fetchMessages: Record<FetchDocumentFailure, string> = {
  scheme: 'The URI scheme is not allowed.',
  data_uri: 'The data: URI is malformed.',
  status: 'The server answered with an error status.',
  too_large: 'The document is larger than the size limit.',
  timeout: 'The document did not arrive within the time limit.',
  network: 'The document could not be fetched.',
  redirect: 'The document redirects too often or to a disallowed URI.',
}

export type FetchDocumentErrorType = FetchDocumentError & { name: 'FetchDocumentError' }
/** An agent URI (registration file, `.well-known` document, feedback file) could not be read. */
export class FetchDocumentError extends BaseError {
  override name = 'FetchDocumentError' as const
  /** Why: `scheme`, `data_uri`, `status`, `too_large`, `timeout`, `network` or `redirect`. */
  readonly reason: FetchDocumentFailure
  /** The HTTP status, for `status`. */
  readonly status: number | undefined
  /** The URI asked for, cut to 120 characters (a data: URI can be long). */
  readonly uri: string
  /** The size or time limit that was hit, for `too_large` (bytes) and `timeout` (milliseconds). */
  readonly limit: number | undefined
  constructor({
    reason,
    uri,
    status,
    limit,
    cause,
  }: {
    reason: FetchDocumentFailure
    uri: string
    status?: number | undefined
    limit?: number | undefined
    cause?: unknown
  }) {
    super(fetchMessages[reason], {
      code: 'TOLLGATE_IDENTITY_FETCH',
      metaMessages: [
        // A data: URI can be long; its head is enough to recognise it.
        `URI: ${excerpt(uri)}`,
        ...(status === undefined ? [] : [`Status: ${status}`]),
        ...(limit === undefined ? [] : [`Limit: ${limit}`]),
      ],
      cause,
    })
    this.reason = reason
    this.status = status
    this.uri = excerpt(uri)
    this.limit = limit
  }
}

export type RegistryChainMismatchErrorType = RegistryChainMismatchError & {
  name: 'RegistryChainMismatchError'
}
/** The registry is named on one chain and the client is connected to another. */
export class RegistryChainMismatchError extends BaseError {
  override name = 'RegistryChainMismatchError' as const
  /** The registry's chain id. */
  readonly expected: number
  /** The client's chain id. */
  readonly actual: number
  constructor({ expected, actual }: { expected: number; actual: number }) {
    super('The registry lives on another chain than the client.', {
      code: 'TOLLGATE_IDENTITY_CHAIN_MISMATCH',
      metaMessages: [`Registry chain: ${expected}`, `Client chain: ${actual}`],
    })
    this.expected = expected
    this.actual = actual
  }
}

export type AgentNotFoundErrorType = AgentNotFoundError & { name: 'AgentNotFoundError' }
/** No agent has this id in the registry (`ownerOf` reverts). */
export class AgentNotFoundError extends BaseError {
  override name = 'AgentNotFoundError' as const
  readonly registry: Address
  readonly agentId: bigint
  constructor({
    registry,
    agentId,
    cause,
  }: { registry: Address; agentId: bigint; cause?: unknown }) {
    super(`Agent ${agentId} is not registered.`, {
      code: 'TOLLGATE_IDENTITY_AGENT_NOT_FOUND',
      metaMessages: [`Registry: ${registry}`],
      cause,
    })
    this.registry = registry
    this.agentId = agentId
  }
}

export type TransactionRevertedErrorType = TransactionRevertedError & {
  name: 'TransactionRevertedError'
}
/** A registry transaction was mined but reverted, or did not emit the event it must emit. */
export class TransactionRevertedError extends BaseError {
  override name = 'TransactionRevertedError' as const
  readonly transactionHash: Hash
  /** The contract function the transaction called. */
  readonly functionName: string
  /** `reverted`, or `missing_event` when it succeeded without the event its result is read from. */
  readonly reason: 'reverted' | 'missing_event'
  constructor({
    functionName,
    hash,
    reason = 'reverted',
  }: {
    functionName: string
    hash: Hash
    reason?: 'reverted' | 'missing_event' | undefined
  }) {
    super(
      reason === 'reverted'
        ? `The ${functionName} transaction reverted.`
        : `The ${functionName} transaction emitted no event to read its result from.`,
      { code: 'TOLLGATE_IDENTITY_TRANSACTION_REVERTED', metaMessages: [`Transaction: ${hash}`] },
    )
    this.transactionHash = hash
    this.functionName = functionName
    this.reason = reason
  }
}

export type RegistrationIncompleteErrorType = RegistrationIncompleteError & {
  name: 'RegistrationIncompleteError'
}
/**
 * The agent was minted but its URI could not be published or set. The agent exists: finish with
 * `setAgentUri` (or `registerAgent` again, which finds it when the file is already published).
 */
export class RegistrationIncompleteError extends BaseError {
  override name = 'RegistrationIncompleteError' as const
  /** The id of the minted agent. */
  readonly agentId: bigint
  constructor({ agentId, cause }: { agentId: bigint; cause: unknown }) {
    super(`Agent ${agentId} was minted but its URI was not set.`, {
      code: 'TOLLGATE_IDENTITY_REGISTRATION_INCOMPLETE',
      metaMessages: [`Finish with setAgentUri(client, { agentId: ${agentId}n, uri }).`],
      cause,
    })
    this.agentId = agentId
  }
}

export type InvalidDeadlineErrorType = InvalidDeadlineError & { name: 'InvalidDeadlineError' }
/** A `setAgentWallet` deadline is in the past or more than 300 s after the latest block. */
export class InvalidDeadlineError extends BaseError {
  override name = 'InvalidDeadlineError' as const
  /** The deadline asked for, unix seconds. */
  readonly deadline: bigint
  /** The latest block's timestamp, unix seconds: the earliest deadline accepted. */
  readonly blockTimestamp: bigint
  /** The latest deadline accepted, unix seconds. */
  readonly maxDeadline: bigint
  constructor({
    deadline,
    blockTimestamp,
    maxDeadline,
  }: {
    deadline: bigint
    blockTimestamp: bigint
    maxDeadline: bigint
  }) {
    super('The wallet signature deadline is outside the accepted window.', {
      code: 'TOLLGATE_IDENTITY_INVALID_DEADLINE',
      metaMessages: [
        `Deadline: ${deadline}`,
        `Latest block time: ${blockTimestamp}`,
        `Latest allowed: ${maxDeadline}`,
      ],
    })
    this.deadline = deadline
    this.blockTimestamp = blockTimestamp
    this.maxDeadline = maxDeadline
  }
}

export type AccountCannotSignErrorType = AccountCannotSignError & {
  name: 'AccountCannotSignError'
}
/** The wallet account cannot sign typed data locally (a JSON-RPC account needs its own client). */
export class AccountCannotSignError extends BaseError {
  override name = 'AccountCannotSignError' as const
  readonly address: Address
  constructor({ address }: { address: Address }) {
    super('The wallet account cannot sign typed data.', {
      code: 'TOLLGATE_IDENTITY_ACCOUNT_CANNOT_SIGN',
      metaMessages: [
        `Wallet: ${address}`,
        'Sign getAgentWalletTypedData() with that wallet and pass `signature` and `deadline`.',
      ],
    })
    this.address = address
  }
}

/** Why a payee is refused. */
export type PayeeMismatchReason = 'mismatch' | 'wallet_unset'

export type PayeeMismatchErrorType = PayeeMismatchError & { name: 'PayeeMismatchError' }
/** A payment's `payTo` is not the agent's verified `agentWallet`: do not sign it. */
export class PayeeMismatchError extends BaseError {
  override name = 'PayeeMismatchError' as const
  readonly reason: PayeeMismatchReason
  readonly payTo: string
  readonly agentWallet: Address | undefined
  readonly agentId: bigint
  constructor({
    agentId,
    agentRegistry,
    payTo,
    agentWallet,
  }: {
    agentId: bigint
    agentRegistry: string
    payTo: string
    agentWallet: Address | undefined
  }) {
    const reason: PayeeMismatchReason = agentWallet ? 'mismatch' : 'wallet_unset'
    super(
      reason === 'mismatch'
        ? "The payment's payTo is not the agent's verified wallet."
        : 'The agent has no verified wallet to pay.',
      {
        code: 'TOLLGATE_IDENTITY_PAYEE_MISMATCH',
        metaMessages: [
          `Agent: ${agentRegistry} #${agentId}`,
          `payTo: ${excerpt(payTo, 64)}`,
          `agentWallet: ${agentWallet ?? '(unset)'}`,
        ],
      },
    )
    this.reason = reason
    this.payTo = payTo
    this.agentWallet = agentWallet
    this.agentId = agentId
  }
}

export type InvalidFeedbackValueErrorType = InvalidFeedbackValueError & {
  name: 'InvalidFeedbackValueError'
}
/** A feedback value is not an exact decimal the registry stores (`int128`, at most 18 decimals). */
export class InvalidFeedbackValueError extends BaseError {
  override name = 'InvalidFeedbackValueError' as const
  /** The value as given, cut to 64 characters. */
  readonly value: string
  readonly reason: string
  constructor({ value, reason }: { value: string; reason: string }) {
    super(`The feedback value is invalid: ${reason}.`, {
      code: 'TOLLGATE_IDENTITY_INVALID_FEEDBACK_VALUE',
      metaMessages: [`Value: ${excerpt(value, 64)}`],
    })
    this.value = excerpt(value, 64)
    this.reason = reason
  }
}

export type EmptyClientListErrorType = EmptyClientListError & { name: 'EmptyClientListError' }
/**
 * A reputation summary was asked for without trusted clients; ERC-8004 requires the list so a
 * summary cannot be inflated by Sybil clients.
 */
export class EmptyClientListError extends BaseError {
  override name = 'EmptyClientListError' as const
  constructor() {
    super('A reputation summary needs a non-empty list of trusted clients.', {
      code: 'TOLLGATE_IDENTITY_EMPTY_CLIENT_LIST',
    })
  }
}

export type InvalidValidationResponseErrorType = InvalidValidationResponseError & {
  name: 'InvalidValidationResponseError'
}
/** A validation response is not an integer from 0 to 100. */
export class InvalidValidationResponseError extends BaseError {
  override name = 'InvalidValidationResponseError' as const
  readonly response: number
  constructor({ response }: { response: number }) {
    super('A validation response must be an integer from 0 to 100.', {
      code: 'TOLLGATE_IDENTITY_INVALID_VALIDATION_RESPONSE',
      metaMessages: [`Response: ${response}`],
    })
    this.response = response
  }
}

export type ValidationRequestNotFoundErrorType = ValidationRequestNotFoundError & {
  name: 'ValidationRequestNotFoundError'
}
/** No validation request has this hash. */
export class ValidationRequestNotFoundError extends BaseError {
  override name = 'ValidationRequestNotFoundError' as const
  readonly requestHash: Hash
  constructor({ requestHash, cause }: { requestHash: Hash; cause?: unknown }) {
    super('No validation request has this hash.', {
      code: 'TOLLGATE_IDENTITY_VALIDATION_NOT_FOUND',
      metaMessages: [`Request hash: ${requestHash}`],
      cause,
    })
    this.requestHash = requestHash
  }
}

export type UnsupportedPublishTargetErrorType = UnsupportedPublishTargetError & {
  name: 'UnsupportedPublishTargetError'
}
/** A document would be published at a URI readers refuse (e.g. plain http). */
export class UnsupportedPublishTargetError extends BaseError {
  override name = 'UnsupportedPublishTargetError' as const
  /** The URI as given, cut to 120 characters. */
  readonly uri: string
  constructor({ uri }: { uri: string }) {
    super('The document URI must be https:, ipfs: or data: (http: only when allowHttp is set).', {
      code: 'TOLLGATE_IDENTITY_UNSUPPORTED_PUBLISH_TARGET',
      metaMessages: [`URI: ${excerpt(uri)}`],
    })
    this.uri = excerpt(uri)
  }
}

export type InvalidPaymentReceiptErrorType = InvalidPaymentReceiptError & {
  name: 'InvalidPaymentReceiptError'
}
/**
 * A payment receipt cannot prove a payment: not settled, no transaction hash, a payer or payee
 * that is not an address, or a network that is not EVM.
 */
export class InvalidPaymentReceiptError extends BaseError {
  override name = 'InvalidPaymentReceiptError' as const
  readonly reason: string
  constructor({ reason, value }: { reason: string; value?: string | undefined }) {
    super(`The payment receipt cannot prove a payment: ${reason}.`, {
      code: 'TOLLGATE_IDENTITY_INVALID_PAYMENT_RECEIPT',
      metaMessages: value === undefined ? undefined : [`Got: ${excerpt(value)}`],
    })
    this.reason = reason
  }
}

export type AgentDomainNotVerifiedErrorType = AgentDomainNotVerifiedError & {
  name: 'AgentDomainNotVerifiedError'
}
/**
 * The host asking for payment does not prove it belongs to the agent its 402 names (its
 * `/.well-known/agent-registration.json` does not list the agent).
 */
export class AgentDomainNotVerifiedError extends BaseError {
  override name = 'AgentDomainNotVerifiedError' as const
  /** Why: `scheme`, `unreachable`, `invalid` or `mismatch` (see `DomainVerificationFailure`). */
  readonly reason: string
  readonly host: string
  readonly agentId: bigint
  constructor({
    reason,
    host,
    url,
    agentId,
    agentRegistry,
    cause,
  }: {
    reason: string
    host: string
    url: string
    agentId: bigint
    agentRegistry: string
    cause?: unknown
  }) {
    super(`The host ${excerpt(host, 64)} is not verified as the agent's domain (${reason}).`, {
      code: 'TOLLGATE_IDENTITY_DOMAIN_NOT_VERIFIED',
      metaMessages: [`Agent: ${agentRegistry} #${agentId}`, `Checked: ${excerpt(url)}`],
      cause,
    })
    this.reason = reason
    this.host = host
    this.agentId = agentId
  }
}

/** What a payee check needs and was not given. */
export type PayeeContextMissing = 'payTo' | 'url'

export type PayeeContextIncompleteErrorType = PayeeContextIncompleteError & {
  name: 'PayeeContextIncompleteError'
}
/**
 * A payee verifier was called without what it checks: the `payTo` (or `requirements.payTo`), or,
 * with `verifyDomain`, the `url` that asked for payment. Nothing is paid on its word.
 */
export class PayeeContextIncompleteError extends BaseError {
  override name = 'PayeeContextIncompleteError' as const
  readonly missing: PayeeContextMissing
  constructor({ missing }: { missing: PayeeContextMissing }) {
    super(
      missing === 'payTo'
        ? 'verifyPayee needs the payTo about to be signed (payTo or requirements.payTo).'
        : 'verifyPayee with verifyDomain needs the url that asked for payment.',
      { code: 'TOLLGATE_IDENTITY_PAYEE_CONTEXT' },
    )
    this.missing = missing
  }
}
