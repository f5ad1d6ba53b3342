import { parseAtomicAmount, parseMoney } from '@tollgate/core'

/** What an `upto` call is charged, and how the reported usage was read. */
export type Charge = {
  /** Atomic units, between zero and the signed maximum. */
  amount: bigint
  /**
   * `reported` as given; `max` when nothing was reported; `capped` when more than the maximum was
   * reported; `unreadable` when the report was not one of the forms (the maximum is charged).
   */
  source: 'reported' | 'max' | 'capped' | 'unreadable'
}

const percent = /^(\d{1,3})(?:\.(\d{1,6}))?%$/

/**
 * Reads the usage an `upto` call reported into the amount to charge: atomic units (`"1234"`), a
 * share of the maximum (`"50%"`, floored), or whole units of the token (`"$0.05"`, `"0.05"` with a
 * dot); never above `max`, `0` for nothing used. Nothing reported charges `max`, as the reference
 * server does.
 */
export function resolveCharge(
  reported: string | undefined,
  { max, decimals }: { max: bigint; decimals: number | undefined },
): Charge {
  if (reported === undefined) return { amount: max, source: 'max' }
  const value = reported.trim()
  let amount: bigint | undefined
  try {
    const share = percent.exec(value)
    if (share) {
      const fraction = share[2] ?? ''
      const scaled = BigInt(share[1]! + fraction)
      amount = (max * scaled) / (100n * 10n ** BigInt(fraction.length))
    } else if (/^\d+$/.test(value)) amount = parseAtomicAmount(value)
    else if (decimals !== undefined) amount = parseMoney(value, { decimals })
  } catch {
    amount = undefined
  }
  if (amount === undefined || amount < 0n) return { amount: max, source: 'unreadable' }
  if (amount > max) return { amount: max, source: 'capped' }
  return { amount, source: 'reported' }
}

/**
 * The usage a response reported in the reference's `Settlement-Overrides` header:
 * `{"amount":"1234"}` (or `"50%"`, `"$0.05"`); `undefined` when there is none or it is not that JSON.
 */
export function readSettlementOverrides(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  try {
    const parsed = JSON.parse(header) as { amount?: unknown }
    if (typeof parsed.amount === 'string') return parsed.amount
    if (typeof parsed.amount === 'number' && Number.isSafeInteger(parsed.amount))
      return String(parsed.amount)
    return undefined
  } catch {
    return undefined
  }
}
