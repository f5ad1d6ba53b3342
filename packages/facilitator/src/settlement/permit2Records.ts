import { reasons } from '@tollgate/core'
import {
  getPermit2Proxy,
  getPermit2SettlementErrorReason,
  type Permit2Authorization,
  permit2Abi,
} from '@tollgate/evm'
import { formatTransactionReceipt, type Hex, type Log, type RpcTransactionReceipt } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import { readTransferLog } from '../chain/readTransferLog.js'
import type { SettlementRecord } from '../ledger/types.js'
import type { Permit2SettlementItem } from './encodePermit2Settlement.js'
import type { ItemOutcome } from './readReceiptOutcomes.js'
import type { AuthorizationOnChain } from './reconcileAuthorization.js'

// The Permit2 side of the settler: rebuilding a row's authorization, reading what a receipt did
// for it, and asking the chain whether its nonce was spent.

/** How a row settles: EIP-3009 (65-byte or contract signature), or through a Permit2 proxy. */
export type SettlementKind = 'eip3009' | 'permit2-exact' | 'permit2-upto'

export function kindOf(record: Pick<SettlementRecord, 'permit2'>): SettlementKind {
  if (!record.permit2) return 'eip3009'
  return record.permit2.scheme === 'upto' ? 'permit2-upto' : 'permit2-exact'
}

/** The signed Permit2 authorization of a row, and what to move. */
export function toPermit2Item(record: SettlementRecord): Permit2SettlementItem {
  const terms = record.permit2!
  const authorization: Permit2Authorization = {
    scheme: terms.scheme,
    from: record.payer,
    token: record.asset,
    amount: terms.permitted,
    spender: getPermit2Proxy(terms.scheme),
    nonce: BigInt(record.nonce),
    deadline: record.validBefore,
    to: record.payee,
    validAfter: record.validAfter,
    ...(terms.facilitator ? { facilitator: terms.facilitator } : {}),
  }
  return { authorization, signature: record.signature, amount: record.value }
}

const transferEvent = [
  {
    type: 'event',
    name: 'Transfer',
    inputs: [
      { name: 'from', type: 'address', indexed: true },
      { name: 'to', type: 'address', indexed: true },
      { name: 'value', type: 'uint256', indexed: false },
    ],
  },
] as const

const transferId = (token: string, from: string, to: string, value: bigint) =>
  `${token.toLowerCase()}:${from.toLowerCase()}:${to.toLowerCase()}:${value}`

/** Each `Transfer` of the logs, counted by token, sender, recipient and value. */
export function countTransfers(logs: readonly Log[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const log of logs) {
    const transfer = readTransferLog(log)
    if (!transfer) continue
    const { from, to, value } = transfer
    const id = transferId(log.address, from, to, value)
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

/** Takes one `Transfer` of the row's payment out of `counts`; false when there is none left. */
export function takeTransfer(counts: Map<string, number>, record: SettlementRecord): boolean {
  const id = transferId(record.asset, record.payer, record.payee, record.value)
  const left = counts.get(id) ?? 0
  if (left === 0) return false
  counts.set(id, left - 1)
  return true
}

const definitive = new Set<string>([
  reasons.permit2InvalidNonce,
  reasons.permit2DeadlineExpired,
  reasons.invalidPermit2Signature,
  reasons.uptoUnauthorizedFacilitator,
  reasons.uptoAmountExceedsPermitted,
])

/**
 * A mined transaction's outcome for a Permit2 row: settled when the token logged the transfer of
 * the row's value from the payer to the payee (one log per row, so two equal payments in one
 * batch need two). A revert's reason is decoded from `revert` (Permit2's and the proxies' errors).
 */
export function permit2Outcome(
  record: SettlementRecord,
  transfers: Map<string, number>,
  revert: Hex | undefined,
): ItemOutcome {
  if (takeTransfer(transfers, record)) return { record, outcome: 'settled' }
  const scheme = record.permit2?.scheme ?? 'exact'
  const reason = revert
    ? getPermit2SettlementErrorReason({ data: revert }, scheme)
    : scheme === 'upto'
      ? reasons.invalidUptoEvmTransactionFailed
      : reasons.invalidExactEvmTransactionFailed
  return { record, outcome: 'failed', reason, definitive: definitive.has(reason) }
}

/**
 * What the chain proves about a Permit2 row: its nonce unused in Permit2's bitmap, or spent with
 * the transfer found in one of our transactions or in the token's `Transfer` logs of the payer to
 * the payee for the row's value since `fromBlock` (the latest). A spent nonce moved the tokens in
 * the same call (Permit2 marks it only in a transfer), so it is never sent again; without a log
 * that shows it the answer is `unknown`.
 */
export async function reconcilePermit2(
  client: ChainClient,
  {
    record,
    transactions,
    fromBlock,
  }: { record: SettlementRecord; transactions: readonly Hex[]; fromBlock: bigint },
): Promise<AuthorizationOnChain> {
  const nonce = BigInt(record.nonce)
  try {
    const bitmap = (await client.readContract({
      address: '0x000000000022D473030F116dDEE9F6B43aC78BA3',
      abi: permit2Abi,
      functionName: 'nonceBitmap',
      args: [record.payer, nonce >> 8n],
    })) as bigint
    if (((bitmap >> (nonce & 0xffn)) & 1n) === 0n) return { status: 'unused' }
    for (const hash of new Set(transactions.map((h) => h.toLowerCase() as Hex))) {
      const raw = (await client.request({
        method: 'eth_getTransactionReceipt',
        params: [hash],
      })) as RpcTransactionReceipt | null
      if (!raw) continue
      const receipt = formatTransactionReceipt(raw)
      if (receipt.status === 'success' && takeTransfer(countTransfers(receipt.logs), record))
        return {
          status: 'used',
          txHash: receipt.transactionHash,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
        }
    }
    const logs = await client.getLogs({
      address: record.asset,
      event: transferEvent[0],
      args: { from: record.payer, to: record.payee },
      fromBlock,
    })
    const found = logs.filter((log) => log.args.value === record.value).at(-1)
    if (found?.transactionHash && found.blockHash && found.blockNumber !== null)
      return {
        status: 'used',
        txHash: found.transactionHash,
        blockNumber: found.blockNumber,
        blockHash: found.blockHash,
      }
    return { status: 'unknown' }
  } catch (cause) {
    return { status: 'unknown', cause }
  }
}
