import type { Address, LocalAccount } from 'viem'
import type { SettlementRecord } from '../../ledger/types.js'
import { isEcdsaItem } from '../encodeSettlement.js'
import { kindOf } from '../permit2Records.js'

/**
 * The rows that can share one transaction from `account`: one kind (EIP-3009 with 65-byte
 * signatures, with contract signatures, Permit2 `exact`), the largest group first; an `upto`
 * row alone, and only from the account its payer named. Without a `BatchSettler` an EIP-3009
 * group is one row, and without Multicall3 a Permit2 one.
 */
export function chooseGroup(
  ready: SettlementRecord[],
  account: LocalAccount,
  {
    batchSettler,
    multicall3,
  }: { batchSettler?: Address | undefined; multicall3?: Address | undefined },
): SettlementRecord[] {
  const mine = account.address.toLowerCase()
  const upto = ready.find(
    (r) => kindOf(r) === 'permit2-upto' && r.permit2?.facilitator?.toLowerCase() === mine,
  )
  const groups = [
    ready.filter((r) => kindOf(r) === 'eip3009' && isEcdsaItem(r)),
    ready.filter((r) => kindOf(r) === 'eip3009' && !isEcdsaItem(r)),
    ready.filter((r) => kindOf(r) === 'permit2-exact').slice(0, multicall3 ? undefined : 1),
  ]
  if (!batchSettler) for (const group of groups.slice(0, 2)) group.splice(1)
  const largest = groups.reduce((a, b) => (b.length > a.length ? b : a))
  return largest.length > 0 ? largest : upto ? [upto] : []
}
