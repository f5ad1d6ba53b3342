import { getRevertData } from '@tollgate/evm'
import {
  formatTransactionReceipt,
  type Hex,
  parseTransaction,
  type RpcTransactionReceipt,
  type TransactionReceipt,
} from 'viem'
import type { ChainClient } from '../../chain/createChainClient.js'
import type { TransitionRequest } from '../../ledger/types.js'
import { permit2Outcome } from '../permit2Records.js'
import { type ItemOutcome, readReceiptOutcomes, reasonOfRevert } from '../readReceiptOutcomes.js'
import type { SettlerContext } from './context.js'
import { count, write } from './record.js'
import type { Tracked } from './tracked.js'
import { resolveUnsettled } from './unsettled.js'

/** The receipt of `hash`, or `undefined` while no node has one. */
export async function getReceipt(
  client: ChainClient,
  hash: Hex,
): Promise<TransactionReceipt | undefined> {
  const receipt = (await client.request({
    method: 'eth_getTransactionReceipt',
    params: [hash],
  })) as RpcTransactionReceipt | null
  return receipt ? formatTransactionReceipt(receipt) : undefined
}

/**
 * Records a mined transaction: its rows that settled are confirmed, the others are resolved
 * against the chain (retried, failed, or confirmed when spent elsewhere); it stops being tracked.
 */
export async function processReceipt(
  context: SettlerContext,
  tx: Tracked,
  receipt: TransactionReceipt,
): Promise<void> {
  context.watcher.track(receipt.blockNumber, receipt.blockHash)
  const outcomes = await readOutcomes(context, tx, receipt)
  const settled = outcomes.filter((o) => o.outcome === 'settled').map((o) => o.record)
  const transitions: TransitionRequest[] = [
    {
      keys: settled,
      from: ['submitted'],
      to: 'confirmed',
      txHash: tx.hash,
      set: {
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        owner: null,
        leaseUntil: null,
        reason: null,
      },
    },
  ]
  for (const outcome of outcomes) {
    if (outcome.outcome !== 'failed') continue
    transitions.push(
      ...(await resolveUnsettled(context, [outcome.record], {
        from: ['submitted'],
        txHash: tx.hash,
        failure: { reason: outcome.reason, definitive: outcome.definitive },
      })),
    )
  }
  const result = await write(context, transitions, {
    // Confirmations alone need not wait for the disk: lost with the power, the transaction is
    // pending again at the next start, whose recovery reads the same receipt. A failure or a retry
    // is a decision the chain does not keep for us.
    durable: transitions.some((t) => t.keys.length > 0 && t.to !== 'confirmed'),
    updateTransaction: {
      hash: tx.hash,
      set: { state: 'mined', blockNumber: receipt.blockNumber, blockHash: receipt.blockHash },
    },
  })
  count(context, result.records)
  context.tracked.delete(tx.hash)
}

/** What the receipt says of each row still `submitted` on `tx`; a lone row's revert is diagnosed. */
async function readOutcomes(
  context: SettlerContext,
  tx: Tracked,
  receipt: TransactionReceipt,
): Promise<ItemOutcome[]> {
  const carried = (await context.ledger.listByTransaction(tx.hash)).filter(
    (r) => r.state === 'submitted',
  )
  const outcomes = readReceiptOutcomes(receipt, carried)
  if (receipt.status !== 'reverted' || carried.length !== 1) return outcomes
  const data = await diagnose(context.client, tx)
  const [only] = carried
  return only?.permit2
    ? [permit2Outcome(only, new Map(), data)]
    : outcomes.map((o) => (o.outcome === 'failed' ? { ...o, ...reasonOfRevert(data) } : o))
}

/**
 * Why a reverted transaction reverted: the same call simulated on the current state (a revert
 * leaves no reason in its receipt). Only used for single settlements: a batch never reverts
 * because of an item.
 */
async function diagnose(client: ChainClient, tx: Tracked): Promise<Hex | undefined> {
  try {
    const parsed = parseTransaction(tx.raw)
    await client.request({
      method: 'eth_call',
      params: [
        { from: tx.sender, to: parsed.to ?? undefined, data: parsed.data ?? '0x' },
        'latest',
      ],
    })
    return undefined
  } catch (error) {
    return getRevertData(error)
  }
}
