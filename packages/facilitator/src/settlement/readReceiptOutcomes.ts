import { reasons } from '@tollgate/core'
import { getSettlementErrorReason } from '@tollgate/evm'
import {
  type Address,
  decodeErrorResult,
  type Hex,
  type Log,
  parseEventLogs,
  toEventSelector,
} from 'viem'
import type { SettlementRecord } from '../ledger/types.js'
import { batchSettlerAbi } from './batchSettlerAbi.js'
import { countTransfers, permit2Outcome } from './permit2Records.js'

/** What a mined settlement transaction did for one of its authorizations. */
export type ItemOutcome =
  | { record: SettlementRecord; outcome: 'settled' }
  | {
      record: SettlementRecord
      outcome: 'failed'
      /** The reference reason string. */
      reason: string
      /**
       * Whether the failure is final (bad signature, expired, used nonce, no balance) or may pass
       * on a retry (out of gas, a reverted batch, not yet valid).
       */
      definitive: boolean
    }

const definitiveReasons: ReadonlySet<string> = new Set([
  reasons.invalidExactEvmNonceAlreadyUsed,
  reasons.invalidExactEvmSignature,
  reasons.invalidExactEvmPayloadAuthorizationValidBefore,
  reasons.invalidExactEvmInsufficientBalance,
])

// Logs are sorted by their first topic before anything is decoded: a batch's receipt carries
// several logs per payment, and decoding each against every ABI cost about 0.9 ms a receipt.
const authorizationUsed = toEventSelector('AuthorizationUsed(address,bytes32)')
const authorizationFailed = toEventSelector('AuthorizationFailed(address,address,bytes32,bytes)')

const id = (token: string, from: string, nonce: string) =>
  `${token.toLowerCase()}:${from.toLowerCase()}:${nonce.toLowerCase()}`

/** The reference reason of a token's revert data (`Error(string)` of FiatToken), and whether it is final. */
export function reasonOfRevert(data: Hex | undefined): { reason: string; definitive: boolean } {
  let message = ''
  if (data && data !== '0x') {
    try {
      const decoded = decodeErrorResult({ abi: [], data })
      message = String(decoded.args?.[0] ?? decoded.errorName)
    } catch {
      message = ''
    }
  }
  if (!message) return { reason: reasons.invalidExactEvmTransactionFailed, definitive: false }
  const reason = getSettlementErrorReason(new Error(message))
  return { reason, definitive: definitiveReasons.has(reason) }
}

/**
 * Reads a settlement receipt: an authorization settled exactly when its token logged
 * `AuthorizationUsed(from, nonce)` in the transaction; the batch settler's `AuthorizationFailed`
 * carries the token's revert data for the others. A Permit2 row settled when the token logged its
 * transfer (`permit2Outcome`). A reverted transaction settled nothing.
 */
export function readReceiptOutcomes(
  receipt: { status: 'success' | 'reverted'; logs: readonly Log[] },
  records: readonly SettlementRecord[],
): ItemOutcome[] {
  if (receipt.status !== 'success')
    return records.map((record) => ({
      record,
      outcome: 'failed',
      reason: reasons.invalidExactEvmTransactionFailed,
      definitive: false,
    }))
  const logs = receipt.logs as Log[]
  const used = new Set<string>()
  const failedLogs: Log[] = []
  for (const log of logs) {
    const [topic, first, second] = log.topics
    // AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce): both in the topics.
    if (topic === authorizationUsed && first && second && log.topics.length === 3)
      used.add(id(log.address, `0x${first.slice(26)}`, second))
    else if (topic === authorizationFailed) failedLogs.push(log)
  }
  const failures = new Map<string, Hex>()
  const failed = parseEventLogs({
    abi: batchSettlerAbi,
    logs: failedLogs,
    eventName: 'AuthorizationFailed',
    strict: false,
  })
  for (const { args } of failed) {
    const { token, from, nonce, reason } = args
    if (token && from && nonce) failures.set(id(token as Address, from, nonce), reason ?? '0x')
  }
  const transfers = records.some((r) => r.permit2) ? countTransfers(logs) : new Map()
  return records.map((record): ItemOutcome => {
    if (record.permit2) return permit2Outcome(record, transfers, undefined)
    const key = id(record.asset, record.payer, record.nonce)
    if (used.has(key)) return { record, outcome: 'settled' }
    return { record, outcome: 'failed', ...reasonOfRevert(failures.get(key)) }
  })
}
