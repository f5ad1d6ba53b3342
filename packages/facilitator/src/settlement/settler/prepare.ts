import { reasons } from '@tollgate/core'
import type { LocalAccount } from 'viem'
import type { SettlementPatch, SettlementRecord, TransitionRequest } from '../../ledger/types.js'
import { isSendable } from '../decideUnsettled.js'
import { chooseGroup } from './chooseGroup.js'
import type { SettlerContext } from './context.js'
import { count, write } from './record.js'
import { resolveUnsettled } from './unsettled.js'

/** Filters claimed rows down to what can go in one transaction now; gives the rest back. */
export async function prepareBatch(
  context: SettlerContext,
  { owner, account, rows }: { owner: string; account: LocalAccount; rows: SettlementRecord[] },
): Promise<SettlementRecord[]> {
  const nowSeconds = BigInt(Math.floor(context.now() / 1000))
  const expired = rows.filter(
    (r) => r.validBefore <= nowSeconds + BigInt(context.expiryMarginSeconds),
  )
  const early = rows.filter((r) => r.validAfter >= nowSeconds && !expired.includes(r))
  let ready = rows.filter((r) => !expired.includes(r) && !early.includes(r))
  // Sent before: the chain decides whether it still needs sending.
  const retried = ready.filter((r) => r.attempts > 0)
  const reconciled = retried.length
    ? await resolveUnsettled(context, retried, { from: ['queued'] })
    : []
  const spent = reconciled.filter((t) => !isSendable(t))
  const spentKeys = new Set(spent.flatMap((t) => t.keys.map((k) => k.nonce)))
  ready = ready.filter((r) => !spentKeys.has(r.nonce))
  const chosen = chooseGroup(ready, account, context)
  const later = ready.filter((r) => !chosen.includes(r))
  const transitions = giveBack(owner, { spent, expired, early, later })
  if (transitions.some((t) => t.keys.length > 0))
    count(context, (await write(context, transitions)).records)
  return chosen
}

/**
 * Transitions for claimed rows that are not sent now: spent ones settle as the chain says,
 * expired ones fail, early ones are parked until valid, the rest go back to the queue.
 */
function giveBack(
  owner: string,
  {
    spent,
    expired,
    early,
    later,
  }: {
    spent: TransitionRequest[]
    expired: SettlementRecord[]
    early: SettlementRecord[]
    later: SettlementRecord[]
  },
): TransitionRequest[] {
  const clear: SettlementPatch = { owner: null, leaseUntil: null }
  return [
    ...spent.map((t) => ({ ...t, owner })),
    {
      keys: expired,
      from: ['queued'],
      to: 'failed',
      owner,
      set: { ...clear, reason: reasons.invalidExactEvmPayloadAuthorizationValidBefore },
    },
    ...early.map(
      (r): TransitionRequest => ({
        keys: [r],
        from: ['queued'],
        to: 'queued',
        owner,
        // Parked until it becomes valid: a lease nobody holds.
        set: { owner: 'deferred', leaseUntil: Number(r.validAfter) * 1000 + 1000 },
      }),
    ),
    { keys: later, from: ['queued'], to: 'queued', owner, set: clear },
  ]
}
