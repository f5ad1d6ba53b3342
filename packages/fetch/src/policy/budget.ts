import type { PaymentRequirements } from '@tollgate/core'
import type { BudgetRefusal } from '../errors/policy.js'
import { BudgetExceededError, describeAmount, InvalidPolicyError } from '../errors/policy.js'
import type { Limit, Priced, ResolvedLimit } from './limit.js'
import {
  costAgainst,
  incomparable,
  limitInAtomicUnits,
  resolveLimit,
  scaledToAtomic,
} from './limit.js'

/** An allowance over a sliding time window. */
export type BudgetParameters = {
  /**
   * The most the agent pays within the window: whole units (`'$5'`), counting payments of every
   * asset converted exactly by its decimals, or `{ amount, asset }` atomic units of one asset,
   * counting (and allowing) payments in that asset only.
   */
  limit: Limit
  /**
   * Length of the sliding window in milliseconds; a payment counts until it is this old.
   * @default no window: the limit holds for the life of the policy
   */
  windowMs?: number | undefined
  /**
   * `'total'`: one allowance for every payment; `'host'`: one allowance per host
   * (`api.example.com`, with the port when it is not the default); `'payee'`: one allowance per
   * `payTo` address, whichever host asks for it.
   * @default 'total'
   */
  scope?: 'total' | 'host' | 'payee' | undefined
}

/** Money set aside for one payment until its outcome is known. */
export type Reservation = {
  /** The payment settled (or may have): it keeps counting against the budgets. */
  commit(): void
  /** The payment provably did not happen: give the money back. */
  release(): void
}

/**
 * How much of a budget is used, in the budget's unit: atomic units of its asset for an
 * `{ amount, asset }` limit, whole units scaled by 10^18 for a whole-unit limit (`'$5'` is
 * `5n * 10n ** 18n`), whatever the decimals of the assets paid.
 */
export type BudgetUsage = {
  readonly budget: BudgetParameters
  readonly key: string
  readonly committed: bigint
  readonly reserved: bigint
}

/** The payment a budget is asked about: its asset (and that asset's decimals) and amount. */
export type BudgetCharge = Priced & {
  readonly requirements: PaymentRequirements
  /** Atomic units of `asset`. */
  readonly amount: bigint
}

/** Reservations for every budget of a policy. Synchronous: check and reserve happen in one tick. */
export type BudgetLedger = {
  /** The first budget that has no room for the charge, or `undefined`. */
  check(charge: BudgetCharge, host: string): BudgetRefusal | undefined
  /** Reserves the charge in every budget; throws if one has no room (check first). */
  reserve(charge: BudgetCharge, host: string): Reservation
  /**
   * Reserves the charge without checking for room: for a payment already signed and sent whose
   * outcome is unknown (rebuilt from a receipt log after a restart). A budget may go over.
   */
  hold(charge: BudgetCharge, host: string): Reservation
  usage(): BudgetUsage[]
}

/** `at` is when the money was reserved, then when the payment was committed. */
type Entry = { readonly cost: bigint; at: number; state: 'reserved' | 'committed' }

type Account = {
  readonly entries: Set<Entry>
  /** Committed spending that never expires (budgets without a window). */
  forever: bigint
}

type Budget = {
  readonly parameters: BudgetParameters
  readonly limit: ResolvedLimit
  readonly windowMs: number | undefined
  readonly scope: 'total' | 'host' | 'payee'
  readonly accounts: Map<string, Account>
}

/**
 * Creates the ledger for a policy's budgets. A committed payment counts from its commit until it
 * is `windowMs` old; an open reservation counts until it is committed or released.
 */
export function createBudgetLedger(
  budgets: readonly BudgetParameters[],
  { now = Date.now }: { now?: (() => number) | undefined } = {},
): BudgetLedger {
  const resolved: Budget[] = budgets.map((parameters, index) => {
    const { windowMs, scope = 'total' } = parameters
    if (windowMs !== undefined && !(Number.isFinite(windowMs) && windowMs > 0))
      throw new InvalidPolicyError({
        option: `budgets[${index}].windowMs`,
        reason: `expected a positive number of milliseconds, got ${windowMs}`,
      })
    if (!['total', 'host', 'payee'].includes(scope))
      throw new InvalidPolicyError({
        option: `budgets[${index}].scope`,
        reason: `expected 'total', 'host' or 'payee', got ${String(scope)}`,
      })
    return {
      parameters,
      limit: resolveLimit(parameters.limit, `budgets[${index}].limit`),
      windowMs,
      scope,
      accounts: new Map(),
    }
  })

  function accountOf(budget: Budget, host: string, payee: string): Account {
    const key = budget.scope === 'host' ? host : budget.scope === 'payee' ? payee : ''
    let account = budget.accounts.get(key)
    if (!account) {
      account = { entries: new Set(), forever: 0n }
      budget.accounts.set(key, account)
    }
    return account
  }

  /** Committed spending plus open reservations within the window; drops what has aged out. */
  function used(budget: Budget, account: Account, now: number) {
    let committed = account.forever
    let reserved = 0n
    for (const entry of account.entries) {
      if (entry.state === 'reserved') reserved += entry.cost
      else if (budget.windowMs !== undefined && now - entry.at >= budget.windowMs)
        account.entries.delete(entry)
      else committed += entry.cost
    }
    return { committed, reserved }
  }

  function check(charge: BudgetCharge, host: string): BudgetRefusal | undefined {
    const time = now()
    for (const budget of resolved) {
      const refusal = refuse(budget, charge, host, time)
      if (refusal) return refusal
    }
    return undefined
  }

  function refuse(
    budget: Budget,
    charge: BudgetCharge,
    host: string,
    now: number,
  ): BudgetRefusal | undefined {
    const { amount, decimals, requirements } = charge
    const payee = requirements.payTo.toLowerCase()
    const values = {
      scope: budget.scope,
      host: budget.scope === 'host' ? host : undefined,
      payee: budget.scope === 'payee' ? payee : undefined,
      windowMs: budget.windowMs,
    }
    const cost = costAgainst(budget.limit, amount, charge)
    if (cost === undefined)
      return {
        guard: 'budget',
        reason: `the budget cannot count this payment: ${incomparable(budget.limit, charge)}`,
        requirements,
        values: { ...values, limit: undefined, spent: undefined, requested: amount },
      }
    const { committed, reserved } = used(budget, accountOf(budget, host, payee), now)
    const spent = committed + reserved
    if (spent + cost <= budget.limit.value) return undefined
    const limit = limitInAtomicUnits(budget.limit, charge)
    const spentAtomic = budget.limit.kind === 'atomic' ? spent : scaledToAtomic(spent, decimals)
    const where =
      budget.scope === 'host' ? ` for ${host}` : budget.scope === 'payee' ? ` for ${payee}` : ''
    return {
      guard: 'budget',
      reason: `${describeAmount(amount, decimals)} does not fit the budget${where}: ${describeAmount(spentAtomic ?? 0n, decimals)} of ${describeAmount(limit ?? 0n, decimals)} spent or reserved`,
      requirements,
      values: { ...values, limit, spent: spentAtomic, requested: amount },
    }
  }

  function reserve(charge: BudgetCharge, host: string): Reservation {
    // `authorize` checks first, in the same tick: this only fires when a caller skipped the check.
    const refusal = check(charge, host)
    if (refusal) throw new BudgetExceededError({ refusal, refusals: [refusal] })
    return hold(charge, host)
  }

  function hold(charge: BudgetCharge, host: string): Reservation {
    const held: { account: Account; entry: Entry; budget: Budget }[] = []
    for (const budget of resolved) {
      const cost = costAgainst(budget.limit, charge.amount, charge)
      // A budget that cannot count the payment's asset (another asset than its own, or unknown
      // decimals) never allowed it either.
      if (cost === undefined) continue
      const entry: Entry = { cost, at: now(), state: 'reserved' }
      const account = accountOf(budget, host, charge.requirements.payTo.toLowerCase())
      account.entries.add(entry)
      held.push({ account, entry, budget })
    }
    let settled = false
    return {
      commit() {
        if (settled) return
        settled = true
        const time = now()
        for (const { account, entry, budget } of held) {
          if (budget.windowMs === undefined) {
            account.entries.delete(entry)
            account.forever += entry.cost
          } else {
            entry.state = 'committed'
            entry.at = time
          }
        }
      },
      release() {
        if (settled) return
        settled = true
        for (const { account, entry } of held) account.entries.delete(entry)
      },
    }
  }

  function usage(): BudgetUsage[] {
    const time = now()
    return resolved.flatMap((budget) =>
      [...budget.accounts].map(([key, account]) => ({
        budget: budget.parameters,
        key,
        ...used(budget, account, time),
      })),
    )
  }

  return { check, reserve, hold, usage }
}
