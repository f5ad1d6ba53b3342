import type { PaymentRequirements } from '@tollgate/core'
import { BaseError, formatMoney } from '@tollgate/core'

/**
 * The policy rule that refused a payment:
 * - `scheme`: not the `exact` scheme on EVM with EIP-3009;
 * - `network`, `asset`: a network or asset the agent does not pay with;
 * - `units`: the asset's decimals or EIP-712 domain disagree with the registry;
 * - `redirect`: the 402 came from another origin than the one requested;
 * - `resource`: the challenge's resource is not the URL requested;
 * - `payee`: a denied payee, or one off the allow-list (global or per host);
 * - `identity`: the server names an agent whose verified wallet is not the payee;
 * - `payeeChange`, `networkChange`, `assetChange`: the route was paid to another payee, on
 *   another network, or with another asset before;
 * - `price`: above the price the agent expects (price list, `expectPrice`, or learnt);
 * - `maxPerRequest`: above the per-request cap;
 * - `rateLimit`: too many payments on the route within the window (`RateLimitedError`);
 * - `budget`: no room left in a budget (`BudgetExceededError`);
 * - `select`: the custom selector chose none of the acceptable options.
 */
export type PolicyGuard =
  | 'scheme'
  | 'network'
  | 'asset'
  | 'units'
  | 'redirect'
  | 'resource'
  | 'payee'
  | 'identity'
  | 'payeeChange'
  | 'networkChange'
  | 'assetChange'
  | 'price'
  | 'maxPerRequest'
  | 'rateLimit'
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
  /** The error behind the refusal (a `verifyPayee` hook's, an `expectPrice` callback's). */
  readonly cause?: unknown
}

/** A budget's state when it refused a payment, in atomic units of the refused asset. */
export type BudgetRefusal = Refusal & {
  readonly guard: 'budget'
  readonly values: {
    readonly scope: 'total' | 'host' | 'payee'
    readonly host: string | undefined
    readonly payee: string | undefined
    readonly windowMs: number | undefined
    readonly limit: bigint | undefined
    readonly spent: bigint | undefined
    readonly requested: bigint
  }
}

/** A rate-limit refusal: the route's payments (or payments answered with a 402) in the window. */
export type RateLimitRefusal = Refusal & {
  readonly guard: 'rateLimit'
  readonly values: {
    readonly route: string
    readonly kind: 'payments' | 'refused'
    readonly limit: number
    readonly windowMs: number
    readonly retryAfterMs: number
  }
}

const guardCodes = {
  scheme: 'TOLLGATE_POLICY_SCHEME',
  network: 'TOLLGATE_POLICY_NETWORK',
  asset: 'TOLLGATE_POLICY_ASSET',
  units: 'TOLLGATE_POLICY_UNITS',
  redirect: 'TOLLGATE_POLICY_REDIRECT',
  resource: 'TOLLGATE_POLICY_RESOURCE',
  payee: 'TOLLGATE_POLICY_PAYEE',
  identity: 'TOLLGATE_POLICY_IDENTITY',
  payeeChange: 'TOLLGATE_POLICY_PAYEE_CHANGE',
  networkChange: 'TOLLGATE_POLICY_NETWORK_CHANGE',
  assetChange: 'TOLLGATE_POLICY_ASSET_CHANGE',
  price: 'TOLLGATE_POLICY_PRICE',
  maxPerRequest: 'TOLLGATE_POLICY_MAX_PER_REQUEST',
  rateLimit: 'TOLLGATE_POLICY_RATE_LIMIT',
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
      cause: refusal.cause,
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
  readonly scope: 'total' | 'host' | 'payee'
  readonly host: string | undefined
  readonly payee: string | undefined
  /** The budget's window; `undefined` for a budget over the life of the policy. */
  readonly windowMs: number | undefined
  readonly limit: bigint | undefined
  readonly spent: bigint | undefined
  readonly requested: bigint

  constructor({ refusal, refusals }: { refusal: BudgetRefusal; refusals: readonly Refusal[] }) {
    super({ refusal, refusals })
    this.scope = refusal.values.scope
    this.windowMs = refusal.values.windowMs
    this.host = refusal.values.host
    this.payee = refusal.values.payee
    this.limit = refusal.values.limit
    this.spent = refusal.values.spent
    this.requested = refusal.values.requested
  }
}

export type RateLimitedErrorType = RateLimitedError & { name: 'RateLimitedError' }

/**
 * The route had as many payments as the policy's rate limit allows within its window (or as many
 * payments answered with a 402 again): a 402 storm. Nothing was signed.
 */
export class RateLimitedError extends PolicyRefusedError {
  override name = 'RateLimitedError'
  /** `METHOD origin/path`. */
  readonly route: string
  /** `payments`: every payment counts; `refused`: payments the server answered with a 402. */
  readonly kind: 'payments' | 'refused'
  readonly limit: number
  readonly windowMs: number
  /** When the oldest payment in the window ages out. */
  readonly retryAfterMs: number

  constructor({ refusal, refusals }: { refusal: RateLimitRefusal; refusals: readonly Refusal[] }) {
    super({ refusal, refusals })
    this.route = refusal.values.route
    this.kind = refusal.values.kind
    this.limit = refusal.values.limit
    this.windowMs = refusal.values.windowMs
    this.retryAfterMs = refusal.values.retryAfterMs
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

export type PurchaseIndeterminateErrorType = PurchaseIndeterminateError & {
  name: 'PurchaseIndeterminateError'
}

/**
 * A purchase may have been paid and nothing can tell: its authorization may have been spent, it
 * can no longer be re-sent (expired), and no chain is configured to prove it unspent. It is never
 * paid again blindly: reconcile it (`reconcile.chains`) or cancel it first.
 */
export class PurchaseIndeterminateError extends BaseError {
  override name = 'PurchaseIndeterminateError'
  readonly purchase: string

  constructor({ purchase, reason }: { purchase: string; reason: string }) {
    super(`Purchase ${purchase} may already be paid; it is not paid again.`, {
      code: 'TOLLGATE_FETCH_PURCHASE_INDETERMINATE',
      metaMessages: [`purchase: ${purchase}`, `reason: ${reason}`],
    })
    this.purchase = purchase
  }
}

export type PurchaseNotFoundErrorType = PurchaseNotFoundError & { name: 'PurchaseNotFoundError' }

/** No payment was made for this purchase id (in this process or in the receipt log). */
export class PurchaseNotFoundError extends BaseError {
  override name = 'PurchaseNotFoundError'
  readonly purchase: string

  constructor({ purchase }: { purchase: string }) {
    super(`No payment was made for purchase ${purchase}.`, {
      code: 'TOLLGATE_FETCH_PURCHASE_NOT_FOUND',
      metaMessages: [`purchase: ${purchase}`],
    })
    this.purchase = purchase
  }
}
