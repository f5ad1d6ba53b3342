import { formatMoney } from '@tollgate/core'
import type { BudgetRefusal } from '../errors/policy.js'
import { describeAmount, InvalidPolicyError } from '../errors/policy.js'
import type { BudgetCharge, BudgetParameters, BudgetUsage } from './budget.js'
import type { ResolvedLimit } from './limit.js'
import {
  costAgainst,
  incomparable,
  limitInAtomicUnits,
  resolveLimit,
  scaledToAtomic,
  unitScale,
} from './limit.js'

// The accounts behind a policy's budgets: what each holds and how it is counted. The ledger
// (`budget.ts`) reserves, commits and restores through these.

/** `at` is when the money was reserved, then when the payment was committed. */
export type Entry = {
  readonly cost: bigint
  at: number
  state: 'reserved' | 'committed'
  /** The receipt the payment is recorded by, when known: it is counted once. */
  readonly id: string | undefined
}

/** One budget's allowance for one key (the host or payee of a scoped budget, `''` for a total). */
export type Account = {
  readonly entries: Set<Entry>
  /** The entries that name their receipt, by its id. */
  readonly byId: Map<string, Entry>
  /** Committed spending that never expires (budgets without a window). */
  forever: bigint
}

/** Adds an entry to an account. */
export function addEntry(account: Account, entry: Entry): void {
  account.entries.add(entry)
  if (entry.id !== undefined) account.byId.set(entry.id, entry)
}

/** Removes an entry from an account. */
export function removeEntry(account: Account, entry: Entry): void {
  account.entries.delete(entry)
  if (entry.id !== undefined && account.byId.get(entry.id) === entry) account.byId.delete(entry.id)
}

/** A budget as the ledger keeps it. */
export type Budget = {
  readonly parameters: BudgetParameters
  readonly limit: ResolvedLimit
  readonly windowMs: number | undefined
  readonly scope: 'total' | 'host' | 'payee'
  readonly accounts: Map<string, Account>
}

/** Parses the budgets of a policy; a malformed one throws `InvalidPolicyError` naming it. */
export function resolveBudgets(budgets: readonly BudgetParameters[]): Budget[] {
  return budgets.map((parameters, index) => {
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
}

/** The account a payment to `payee` (lower case) on `host` falls in, created when new. */
export function accountOf(budget: Budget, host: string, payee: string): Account {
  const key = budget.scope === 'host' ? host : budget.scope === 'payee' ? payee : ''
  let account = budget.accounts.get(key)
  if (!account) {
    account = { entries: new Set(), byId: new Map(), forever: 0n }
    budget.accounts.set(key, account)
  }
  return account
}

/** Committed spending plus open reservations within the window; drops what has aged out. */
export function usedIn(budget: Budget, account: Account, now: number) {
  let committed = account.forever
  let reserved = 0n
  for (const entry of account.entries) {
    if (entry.state === 'reserved') reserved += entry.cost
    else if (budget.windowMs !== undefined && now - entry.at >= budget.windowMs)
      removeEntry(account, entry)
    else committed += entry.cost
  }
  return { committed, reserved }
}

/** Why the budget has no room for the charge (or cannot count it); `undefined` when it has room. */
export function refuseCharge(
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
  const { committed, reserved } = usedIn(budget, accountOf(budget, host, payee), now)
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

/** Every account of every budget, with what it has used at `now`. */
export function usageOf(budgets: readonly Budget[], now: number): BudgetUsage[] {
  return budgets.flatMap((budget) =>
    [...budget.accounts].map(([key, account]) => {
      const { committed, reserved } = usedIn(budget, account, now)
      const whole = budget.limit.kind === 'units'
      return {
        budget: budget.parameters,
        key,
        committed,
        reserved,
        decimals: whole ? unitScale : undefined,
        used: whole
          ? formatMoney(committed + reserved, { decimals: unitScale })
          : committed + reserved,
      }
    }),
  )
}
