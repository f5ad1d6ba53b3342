import type { PaymentRequirements } from '@tollgate/core'
import { BaseError, formatMoney } from '@tollgate/core'

/**
 * The policy rule that refused a payment:
 * - `https`: the URL to pay is plain `http` on a host that is not loopback;
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
  | 'https'
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

/**
 * Per guard: its stable code, the policy option that changes what it refuses (`undefined` when
 * nothing does), and the section of `docs/agents/guardrails.md` that explains it.
 */
export const guardInfo = {
  https: { code: 'TOLLGATE_POLICY_HTTPS', option: 'allowHttp', anchor: 'https-only' },
  scheme: { code: 'TOLLGATE_POLICY_SCHEME', option: undefined, anchor: 'schemes' },
  network: { code: 'TOLLGATE_POLICY_NETWORK', option: 'networks', anchor: 'networks-and-assets' },
  asset: { code: 'TOLLGATE_POLICY_ASSET', option: 'assets', anchor: 'units' },
  units: { code: 'TOLLGATE_POLICY_UNITS', option: 'assets', anchor: 'units' },
  redirect: {
    code: 'TOLLGATE_POLICY_REDIRECT',
    option: 'allowRedirectTo',
    anchor: 'resource-binding-and-redirects',
  },
  resource: {
    code: 'TOLLGATE_POLICY_RESOURCE',
    option: 'resourceBinding',
    anchor: 'resource-binding-and-redirects',
  },
  payee: { code: 'TOLLGATE_POLICY_PAYEE', option: 'payees', anchor: 'recipients' },
  identity: {
    code: 'TOLLGATE_POLICY_IDENTITY',
    option: 'verifyPayee',
    anchor: 'agent-identity-erc-8004',
  },
  payeeChange: {
    code: 'TOLLGATE_POLICY_PAYEE_CHANGE',
    option: 'pin.payee',
    anchor: 'recipients',
  },
  networkChange: {
    code: 'TOLLGATE_POLICY_NETWORK_CHANGE',
    option: 'pin.network',
    anchor: 'networks-and-assets',
  },
  assetChange: {
    code: 'TOLLGATE_POLICY_ASSET_CHANGE',
    option: 'pin.asset',
    anchor: 'networks-and-assets',
  },
  price: { code: 'TOLLGATE_POLICY_PRICE', option: 'prices', anchor: 'price-expectations' },
  maxPerRequest: {
    code: 'TOLLGATE_POLICY_MAX_PER_REQUEST',
    option: 'maxPerRequest',
    anchor: 'per-request-cap',
  },
  rateLimit: {
    code: 'TOLLGATE_POLICY_RATE_LIMIT',
    option: 'rateLimit',
    anchor: 'no-re-payment-and-402-storms',
  },
  budget: { code: 'TOLLGATE_POLICY_BUDGET', option: 'budgets', anchor: 'budgets' },
  select: { code: 'TOLLGATE_POLICY_SELECT', option: 'select', anchor: 'choosing-among-options' },
} as const satisfies Record<
  PolicyGuard,
  { code: string; option: string | undefined; anchor: string }
>

/** The policy option that changes a refusal: for `price`, the one its expectation came from. */
function optionOf(refusal: Refusal): string | undefined {
  if (refusal.guard === 'price') {
    const source = refusal.values.source
    if (source === 'expectPrice') return 'expectPrice'
    if (source === 'learnt') return 'learnPrices'
  }
  if (refusal.guard === 'identity' && refusal.reason.includes('names no agent'))
    return 'requireIdentity'
  return guardInfo[refusal.guard].option
}

export type PolicyRefusedErrorType = PolicyRefusedError & { name: 'PolicyRefusedError' }

/**
 * The agent's policy accepted none of the server's payment options; nothing was signed.
 * `guard` names the rule that fired (for several options, the rule that refused the option that
 * passed the most rules), `option` the policy option that changes it, `refusals` lists every
 * option with its reason.
 */
export class PolicyRefusedError extends BaseError {
  override name: 'PolicyRefusedError' | 'BudgetExceededError' | 'RateLimitedError' =
    'PolicyRefusedError'
  readonly guard: PolicyGuard
  /** Why, in one line (the refusal's `reason`). */
  readonly reason: string
  /** The policy option that changes what this guard refuses; `undefined` when none does. */
  readonly option: string | undefined
  readonly refusal: Refusal
  readonly refusals: readonly Refusal[]

  constructor({ refusal, refusals }: { refusal: Refusal; refusals: readonly Refusal[] }) {
    const option = optionOf(refusal)
    const { code, anchor } = guardInfo[refusal.guard]
    super(`Payment refused by the ${refusal.guard} rule: ${refusal.reason}.`, {
      code,
      cause: refusal.cause,
      docsPath: `/agents/guardrails#${anchor}`,
      metaMessages: [
        option === undefined
          ? 'No policy option changes this rule.'
          : `Change it with the policy's \`${option}\` option.`,
        ...refusals.map(
          (r) =>
            `- ${r.requirements.scheme} ${r.requirements.amount} of ${r.requirements.asset} on ${r.requirements.network} to ${r.requirements.payTo}: ${r.guard}: ${r.reason}`,
        ),
      ],
    })
    this.guard = refusal.guard
    this.reason = refusal.reason
    this.option = option
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
  override name = 'BudgetExceededError' as const
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
  override name = 'RateLimitedError' as const
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

export type InvalidPolicyErrorType = InvalidPolicyError & { name: 'InvalidPolicyError' }

/**
 * A policy option is malformed (a negative window, a limit without its unit, a price list key
 * that is neither a host nor a URL). Thrown by `createPolicy` (or `wrapFetch` given parameters),
 * before anything is paid; an `expectPrice` callback's malformed answer refuses its payment.
 */
export class InvalidPolicyError extends BaseError {
  override name = 'InvalidPolicyError' as const
  /** The option, as a path: `budgets[0].limit`, `rateLimit.max`, `prices["api.example.com"]`. */
  readonly option: string
  /** What is wrong with it, in one line. */
  readonly reason: string

  constructor({ option, reason, cause }: { option: string; reason: string; cause?: unknown }) {
    super(`The policy option ${option} is invalid: ${reason}.`, {
      code: 'TOLLGATE_POLICY_INVALID_OPTION',
      cause,
      docsPath: '/agents/guardrails#the-guards-at-a-glance',
      metaMessages: [`option: ${option}`],
    })
    this.option = option
    this.reason = reason
  }
}

/** Formats an amount for an error line when its decimals are known. */
export function describeAmount(amount: bigint, decimals: number | undefined): string {
  return decimals === undefined
    ? `${amount} (atomic)`
    : `${amount} (${formatMoney(amount, { decimals })})`
}
