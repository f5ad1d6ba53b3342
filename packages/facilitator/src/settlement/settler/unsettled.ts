import type { Hex } from 'viem'
import type { SettlementRecord, SettlementState, TransitionRequest } from '../../ledger/types.js'
import { decideUnsettled, type UnsettledFailure } from '../decideUnsettled.js'
import { reconcilePermit2 } from '../permit2Records.js'
import { type AuthorizationOnChain, reconcileAuthorization } from '../reconcileAuthorization.js'
import type { SettlerContext } from './context.js'

/** What the chain proves about a row's authorization; our own transactions' receipts count. */
async function reconcile(
  context: SettlerContext,
  record: SettlementRecord,
): Promise<AuthorizationOnChain> {
  const { client, ledger, chainId, watcher, logLookbackBlocks, logPageSizeBlocks } = context
  const head = watcher.head?.number ?? 0n
  // Our transactions that may have carried it: the row's, and any at the same sender nonce
  // (replacements of each other, one of which may have been mined).
  const ours =
    record.sender && record.txNonce !== undefined
      ? await ledger.listTransactions({
          chainId,
          states: ['pending', 'mined', 'dropped'],
          sender: record.sender,
          nonce: record.txNonce,
        })
      : []
  const transactions = [...(record.txHash ? [record.txHash] : []), ...ours.map((tx) => tx.hash)]
  const fromBlock = head > logLookbackBlocks ? head - logLookbackBlocks : 0n
  const chain = record.permit2
    ? await reconcilePermit2(client, { record, transactions, fromBlock })
    : await reconcileAuthorization(client, {
        asset: record.asset,
        payer: record.payer,
        nonce: record.nonce,
        transactions,
        fromBlock,
        pageSizeBlocks: logPageSizeBlocks,
      })
  if (chain.status === 'unknown' && chain.cause !== undefined) context.onError(chain.cause)
  return chain
}

/**
 * Transitions for rows that left a transaction without settling in it, or are about to be sent
 * again: asks the chain first, so a row spent elsewhere (an earlier transaction of ours, another
 * facilitator) is confirmed, not sent again; a canceled one fails; an unproven one waits.
 */
export async function resolveUnsettled(
  context: SettlerContext,
  records: readonly SettlementRecord[],
  {
    from,
    txHash,
    failure,
  }: {
    /** The states the rows are in now (the transition's compare-and-set). */
    from: SettlementState[]
    /** The transaction they left, when they were carried by one. */
    txHash?: Hex | undefined
    /** Why that transaction did not settle them, when its receipt says. */
    failure?: UnsettledFailure | undefined
  },
): Promise<TransitionRequest[]> {
  const { now, expiryMarginSeconds, maxAttempts } = context
  return Promise.all(
    records.map(async (record): Promise<TransitionRequest> => {
      const chain = await reconcile(context, record)
      const decision = decideUnsettled({
        record,
        chain,
        failure,
        now: now(),
        expiryMarginSeconds,
        maxAttempts,
      })
      return { keys: [record], from, ...(txHash ? { txHash } : {}), ...decision }
    }),
  )
}
