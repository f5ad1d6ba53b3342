import type { PaymentRequirements } from '@tollgate/core'
import { BaseError, formatMoney } from '@tollgate/core'

/** The policy rule that refused a payment. */
export type PolicyGuard =
  | 'scheme'
  | 'network'
  | 'asset'
  | 'payee'
  | 'maxPerRequest'
  | 'budget'
  | 'select'

/** Why one `accepts` entry was not acceptable. */
export type Refusal = {
  readonly guard: PolicyGuard
  /** One line, e.g. `amount 20000 is above the cap 10000`. */
  readonly reason: string
  /** The refused entry, in v2 shape. */
  readonly requirements: PaymentRequirements
  /** The values the rule compared. */
  readonly values: Readonly<Record<string, string | number | bigint | undefined>>
}

/** A budget's state when it refused a payment, in atomic units of the refused asset. */
export type BudgetRefusal = Refusal & {
  readonly guard: 'budget'
  readonly values: {
    readonly scope: 'total' | 'host'
    readonly host: string | undefined
    readonly windowMs: number | undefined
    readonly limit: bigint | undefined
    readonly spent: bigint | undefined
    readonly requested: bigint
  }
}

const guardCodes = {
  scheme: 'TOLLGATE_POLICY_SCHEME',
  network: 'TOLLGATE_POLICY_NETWORK',
  asset: 'TOLLGATE_POLICY_ASSET',
  payee: 'TOLLGATE_POLICY_PAYEE',
  maxPerRequest: 'TOLLGATE_POLICY_MAX_PER_REQUEST',
  budget: 'TOLLGATE_POLICY_BUDGET',
  select: 'TOLLGATE_POLICY_SELECT',
} as const satisfies Record<PolicyGuard, string>

export type PolicyRefusedErrorType = PolicyRefusedError & { name: 'PolicyRefusedError' }

/**
 * The agent's policy accepted none of the server's payment options; nothing was signed.
 * `guard` names the rule that fired (for several options, the rule that refused the option that
 * passed the most rules), `refusals` lists every option with its reason.
 */
export class PolicyRefusedError extends BaseError {
  override name = 'PolicyRefusedError'
  readonly guard: PolicyGuard
  /** Why, in one line (the refusal's `reason`). */
  readonly reason: string
  readonly refusal: Refusal
  readonly refusals: readonly Refusal[]

  constructor({ refusal, refusals }: { refusal: Refusal; refusals: readonly Refusal[] }) {
    super(`Payment refused by the ${refusal.guard} rule: ${refusal.reason}.`, {
      code: guardCodes[refusal.guard],
      metaMessages: refusals.map(
        (r) =>
          `- ${r.requirements.scheme} ${r.requirements.amount} of ${r.requirements.asset} on ${r.requirements.network} to ${r.requirements.payTo}: ${r.guard}: ${r.reason}`,
      ),
    })
    this.guard = refusal.guard
    this.reason = refusal.reason
    this.refusal = refusal
    this.refusals = refusals
  }
}

export type BudgetExceededErrorType = BudgetExceededError & { name: 'BudgetExceededError' }

/**
 * A budget has no room for the payment: what it allows in its window, minus what is spent or
 * reserved, is less than the price. Nothing was signed. Amounts are atomic units of the asset
 * that was asked for.
 */
export class BudgetExceededError extends PolicyRefusedError {
  override name = 'BudgetExceededError'
  readonly scope: 'total' | 'host'
  readonly host: string | undefined
  readonly limit: bigint | undefined
  readonly spent: bigint | undefined
  readonly requested: bigint

  constructor({ refusal, refusals }: { refusal: BudgetRefusal; refusals: readonly Refusal[] }) {
    super({ refusal, refusals })
    this.scope = refusal.values.scope
    this.host = refusal.values.host
    this.limit = refusal.values.limit
    this.spent = refusal.values.spent
    this.requested = refusal.values.requested
  }
}

export type BodyNotReplayableErrorType = BodyNotReplayableError & {
  name: 'BodyNotReplayableError'
}

/**
 * The server asked for payment, but the request body was a stream too large to keep for the
 * paid retry. Nothing was signed. Raise `maxBufferedBodyBytes` or send a buffered body.
 */
export class BodyNotReplayableError extends BaseError {
  override name = 'BodyNotReplayableError'
  readonly limit: number

  constructor({ limit }: { limit: number }) {
    super('The request body is a stream larger than the replay buffer; it cannot be paid for.', {
      code: 'TOLLGATE_FETCH_BODY_NOT_REPLAYABLE',
      metaMessages: [`maxBufferedBodyBytes: ${limit}`],
    })
    this.limit = limit
  }
}

export type InvalidChallengeErrorType = InvalidChallengeError & { name: 'InvalidChallengeError' }

/** A 402 carried an x402 challenge that does not parse (the cause says why). Nothing was signed. */
export class InvalidChallengeError extends BaseError {
  override name = 'InvalidChallengeError'
  readonly url: string

  constructor({ url, cause }: { url: string; cause: unknown }) {
    super('The server answered 402 with a payment challenge that does not parse.', {
      code: 'TOLLGATE_FETCH_INVALID_CHALLENGE',
      cause: cause as Error,
      metaMessages: [`url: ${url}`],
    })
    this.url = url
  }
}

/** Formats an amount for an error line when its decimals are known. */
export function describeAmount(amount: bigint, decimals: number | undefined): string {
  return decimals === undefined
    ? `${amount} (atomic)`
    : `${amount} (${formatMoney(amount, { decimals })})`
}

export type InvalidReceiptLogErrorType = InvalidReceiptLogError & { name: 'InvalidReceiptLogError' }

/** A line of a receipt log file is not a receipt. */
export class InvalidReceiptLogError extends BaseError {
  override name = 'InvalidReceiptLogError'
  readonly path: string
  readonly line: number

  constructor({ path, line, cause }: { path: string; line: number; cause: unknown }) {
    super(`Line ${line} of the receipt log is not a receipt.`, {
      code: 'TOLLGATE_FETCH_INVALID_RECEIPT_LOG',
      cause: cause as Error,
      metaMessages: [`path: ${path}`, `line: ${line}`],
    })
    this.path = path
    this.line = line
  }
}
