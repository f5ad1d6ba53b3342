import type { PaymentRequirements } from '@tollgate/core'
import type { BudgetRefusal } from '../errors/policy.js'
import { BudgetExceededError } from '../errors/policy.js'
import type { Account, Budget, Entry } from './budgetAccounts.js'
import {
  accountOf,
  addEntry,
  refuseCharge,
  removeEntry,
  resolveBudgets,
  usageOf,
} from './budgetAccounts.js'
import type { Limit, Priced } from './limit.js'
import { costAgainst } from './limit.js'

/** An allowance over a sliding time window. */
export type BudgetParameters = {
  /**
   * The most the agent pays within the window: whole units (`'$5'`), counting payments of every
   * asset converted exactly by its decimals, or `{ amount, asset }` atomic units of one asset,
   * counting (and allowing) payments in that asset only.
   */
  limit: Limit
  /**
   * Length of the sliding window in milliseconds; a payment counts until it is this old. With a
   * receipt log, the payments it shows settled within the window count again after a restart.
   * @default no window: the limit holds for the life of the policy (this process)
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
  /**
   * The payment settled (or may have): it keeps counting against the budgets, for `charged` atomic
   * units when the server charged less than was held (an `upto` payment), else for all of it.
   */
  commit(charged?: bigint | undefined): void
  /** The payment provably did not happen: give the money back. */
  release(): void
}

/**
 * How much of a budget is used. `used` reads as the budget's limit is written: whole units as a
 * decimal string (`'0.03'` of a `'$0.05'` budget), or atomic units of its asset (a `bigint`) for
 * an `{ amount, asset }` budget. `committed` and `reserved` are exact counts in units of
 * `10^-decimals`: for a whole-unit budget `decimals` is 18 (`'$5'` is `5n * 10n ** 18n`, so any
 * asset's amount converts exactly), for an `{ amount, asset }` budget it is `undefined` (atomic
 * units of that asset).
 */
export type BudgetUsage = {
  readonly budget: BudgetParameters
  /** The host or payee of a scoped budget; `''` for a total one. */
  readonly key: string
  /** Spent, and counting within the window. */
  readonly committed: bigint
  /** Held for payments whose outcome is not known yet. */
  readonly reserved: bigint
  /** The scale of `committed` and `reserved`: 18 for a whole-unit budget, `undefined` for atomic units. */
  readonly decimals: number | undefined
  /** `committed + reserved` as the limit is written: whole units (`'0.03'`), or atomic units. */
  readonly used: string | bigint
}

/** The payment a budget is asked about: its asset (and that asset's decimals) and amount. */
export type BudgetCharge = Priced & {
  readonly requirements: PaymentRequirements
  /** Atomic units of `asset`. */
  readonly amount: bigint
}

/** A payment made earlier, rebuilt from a receipt log: which one, and when it settled. */
export type SettledCharge = {
  /** The receipt's `id`: a payment already counted (in this process, or restored) is not counted twice. */
  readonly id: string
  /** Milliseconds since the epoch. */
  readonly at: number
}

/** Reservations for every budget of a policy. Synchronous: check and reserve happen in one tick. */
export type BudgetLedger = {
  /** The first budget that has no room for the charge, or `undefined`. */
  check(charge: BudgetCharge, host: string): BudgetRefusal | undefined
  /** Reserves the charge in every budget; throws if one has no room (check first). */
  reserve(charge: BudgetCharge, host: string, id?: string | undefined): Reservation
  /**
   * Reserves the charge without checking for room: for a payment already signed and sent whose
   * outcome is unknown (rebuilt from a receipt log after a restart). A budget may go over.
   */
  hold(charge: BudgetCharge, host: string, id?: string | undefined): Reservation
  /**
   * Counts a payment that settled at `settled.at` in every budget with a window it still falls
   * in, once per receipt id, without checking for room: what a restarted agent spent before.
   */
  restore(charge: BudgetCharge, host: string, settled: SettledCharge): void
  usage(): BudgetUsage[]
}

/**
 * Creates the ledger for a policy's budgets. A committed payment counts from its commit until it
 * is `windowMs` old; an open reservation counts until it is committed or released.
 */
export function createBudgetLedger(
  budgets: readonly BudgetParameters[],
  { now = Date.now }: { now?: (() => number) | undefined } = {},
): BudgetLedger {
  const resolved = resolveBudgets(budgets)

  function check(charge: BudgetCharge, host: string): BudgetRefusal | undefined {
    const time = now()
    for (const budget of resolved) {
      const refusal = refuseCharge(budget, charge, host, time)
      if (refusal) return refusal
    }
    return undefined
  }

  function reserve(charge: BudgetCharge, host: string, id?: string | undefined): Reservation {
    // `decide` checks first, in the same tick: this only fires when a caller skipped the check.
    const refusal = check(charge, host)
    if (refusal) throw new BudgetExceededError({ refusal, refusals: [refusal] })
    return holdCharge(resolved, charge, host, { now, id })
  }

  return {
    check,
    reserve,
    hold: (charge, host, id) => holdCharge(resolved, charge, host, { now, id }),
    restore: (charge, host, settled) => restoreCharge(resolved, charge, host, now(), settled),
    usage: () => usageOf(resolved, now()),
  }
}

/** Adds the charge, reserved, to the account it falls in of every budget that can count it. */
function holdCharge(
  budgets: readonly Budget[],
  charge: BudgetCharge,
  host: string,
  { now, id }: { now: () => number; id: string | undefined },
): Reservation {
  const held: { account: Account; entry: Entry; budget: Budget }[] = []
  for (const budget of budgets) {
    const cost = costAgainst(budget.limit, charge.amount, charge)
    // A budget that cannot count the payment's asset (another asset than its own, or unknown
    // decimals) never allowed it either.
    if (cost === undefined) continue
    const entry: Entry = { cost, at: now(), state: 'reserved', id }
    const account = accountOf(budget, host, charge.requirements.payTo.toLowerCase())
    addEntry(account, entry)
    held.push({ account, entry, budget })
  }
  let settled = false
  return {
    commit(charged) {
      if (settled) return
      settled = true
      const time = now()
      const partial = charged !== undefined && charged >= 0n && charged < charge.amount
      for (const { account, entry, budget } of held) {
        // Only what was charged keeps counting; the rest of the maximum goes back.
        const cost = partial
          ? (costAgainst(budget.limit, charged, charge) ?? entry.cost)
          : entry.cost
        removeEntry(account, entry)
        if (budget.windowMs === undefined) account.forever += cost
        else addEntry(account, { cost, at: time, state: 'committed', id: entry.id })
      }
    },
    release() {
      if (settled) return
      settled = true
      for (const { account, entry } of held) removeEntry(account, entry)
    },
  }
}

/** Counts a settled payment in every windowed budget it still falls in, unless counted already. */
function restoreCharge(
  budgets: readonly Budget[],
  charge: BudgetCharge,
  host: string,
  now: number,
  { id, at }: SettledCharge,
): void {
  for (const budget of budgets) {
    // Without a window a budget holds for the life of the policy: an earlier process is not it.
    if (budget.windowMs === undefined || now - at >= budget.windowMs) continue
    const cost = costAgainst(budget.limit, charge.amount, charge)
    if (cost === undefined) continue
    const account = accountOf(budget, host, charge.requirements.payTo.toLowerCase())
    if (account.byId.has(id)) continue
    addEntry(account, { cost, at, state: 'committed', id })
  }
}
