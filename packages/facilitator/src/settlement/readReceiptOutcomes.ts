import { reasons } from '@tollgate/core'
import { eip3009Abi, getSettlementErrorReason } from '@tollgate/evm'
import { type Address, decodeErrorResult, type Hex, type Log, parseEventLogs } from 'viem'
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
  const used = new Set(
    parseEventLogs({ abi: eip3009Abi, logs, eventName: 'AuthorizationUsed', strict: false }).map(
      (log) => id(log.address, log.args.authorizer ?? '', log.args.nonce ?? ''),
    ),
  )
  const failures = new Map<string, Hex>()
  for (const log of parseEventLogs({
    abi: batchSettlerAbi,
    logs,
    eventName: 'AuthorizationFailed',
    strict: false,
  })) {
    const { token, from, nonce, reason } = log.args
    if (token && from && nonce) failures.set(id(token as Address, from, nonce), reason ?? '0x')
  }
  const transfers = countTransfers(logs)
  return records.map((record): ItemOutcome => {
    if (record.permit2) return permit2Outcome(record, transfers, undefined)
    const key = id(record.asset, record.payer, record.nonce)
    if (used.has(key)) return { record, outcome: 'settled' }
    return { record, outcome: 'failed', ...reasonOfRevert(failures.get(key)) }
  })
}
