import { settlementStates } from '@tollgate/core'
import type BetterSqlite3 from 'better-sqlite3'
import type { SettlementRow, TransactionRow } from './rows.js'
import { toSettlementRecord, toTransactionRecord } from './rows.js'
import { type SqliteStatements, statesSql } from './sqliteStatements.js'
import type {
  Ledger,
  ListParameters,
  SettlementRecord,
  SettlementState,
  TransactionRecord,
  TransactionState,
} from './types.js'

/** A settlement row's transaction is not pending or mined, or is not in the ledger. */
const withoutLiveTransaction = `NOT EXISTS (SELECT 1 FROM tollgate_transactions t
  WHERE t.hash = tollgate_settlements.tx_hash AND t.state IN ('pending', 'mined'))`

/** Rows in some states, earliest deadline first (a query whose shape varies: prepared per call). */
export function listSettlements(
  db: BetterSqlite3.Database,
  { chainId, states, holdBefore, orphaned, limit = 1_000 }: ListParameters,
): SettlementRecord[] {
  const where = [`state IN (${statesSql(states.filter((s) => settlementStates.includes(s)))})`]
  if (chainId !== undefined) where.push('chain_id = ?')
  if (holdBefore !== undefined) where.push('hold_until < ?')
  if (orphaned) where.push(withoutLiveTransaction)
  const rows = db
    .prepare<unknown[], SettlementRow>(
      `SELECT * FROM tollgate_settlements WHERE ${where.join(' AND ')} ORDER BY expires_at LIMIT ?`,
    )
    .all(
      ...(chainId === undefined ? [] : [chainId]),
      ...(holdBefore === undefined ? [] : [holdBefore]),
      limit,
    )
  return rows.map(toSettlementRecord)
}

/** Transactions of a chain in some states, by sender and nonce, optionally narrowed. */
export function listTransactions(
  db: BetterSqlite3.Database,
  { chainId, states, sender, nonce, minBlock }: Parameters<Ledger['listTransactions']>[0],
): TransactionRecord[] {
  const known: readonly TransactionState[] = ['pending', 'mined', 'dropped']
  const list = states.filter((s) => known.includes(s)).map((s) => `'${s}'`)
  const rows = db
    .prepare<unknown[], TransactionRow>(
      `SELECT * FROM tollgate_transactions WHERE chain_id = ? AND state IN (${list.join(', ')})
       ${sender ? 'AND sender = ?' : ''} ${nonce === undefined ? '' : 'AND nonce = ?'}
       ${minBlock === undefined ? '' : 'AND block_number > ?'}
       ORDER BY sender, nonce, created_at`,
    )
    .all(
      chainId,
      ...(sender ? [sender.toLowerCase()] : []),
      ...(nonce === undefined ? [] : [nonce]),
      ...(minBlock === undefined ? [] : [minBlock.toString()]),
    )
  return rows.map(toTransactionRecord)
}

/** Row counts per state, every state present. */
export function countStates({
  countsStatement,
}: SqliteStatements): Record<SettlementState, number> {
  const counts = Object.fromEntries(settlementStates.map((s) => [s, 0])) as Record<
    SettlementState,
    number
  >
  for (const row of countsStatement.all()) counts[row.state as SettlementState] = row.n
  return counts
}
