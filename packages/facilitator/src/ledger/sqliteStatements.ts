import type BetterSqlite3 from 'better-sqlite3'
import { patchColumns, type SettlementRow, type TransactionRow } from './rows.js'
import type { SettlementState, TransitionRequest } from './types.js'

const keyWhere = 'chain_id = ? AND asset = ? AND payer = ? AND nonce = ?'

/** A list of states for `IN (...)`; the names are checked against the enum before they reach SQL. */
export function statesSql(states: readonly SettlementState[]): string {
  return states.map((state) => `'${state}'`).join(', ')
}

type Statement<row> = BetterSqlite3.Statement<unknown[], row>

/** The SQLite ledger's prepared statements, each prepared once per connection. */
export type SqliteStatements = {
  getStatement: Statement<SettlementRow>
  insertStatement: Statement<SettlementRow>
  takeOverStatement: Statement<SettlementRow>
  openStatement: Statement<Pick<SettlementRow, 'state' | 'value'>>
  byPaymentIdStatement: Statement<SettlementRow>
  byTransactionStatement: Statement<SettlementRow>
  claimableStatement: Statement<SettlementRow>
  leaseStatement: Statement<SettlementRow>
  countsStatement: Statement<{ state: string; n: number }>
  insertTransactionStatement: Statement<unknown>
  getTransactionStatement: Statement<TransactionRow>
  lastNonceStatement: Statement<{ n: number | null }>
  /** The UPDATE of a transition's shape, and the values of its patched columns. */
  transitionStatement(request: TransitionRequest): {
    statement: Statement<SettlementRow>
    values: (string | number | null)[]
  }
  /** The UPDATE of a transaction row patching `columns` (then `updated_at`, then the hash). */
  transactionUpdateStatement(columns: readonly { column: string }[]): Statement<unknown>
}

/** Prepares the ledger's statements on `db` (a transition's, per shape, on first use). */
export function prepareSqliteStatements(db: BetterSqlite3.Database): SqliteStatements {
  const getStatement = db.prepare<unknown[], SettlementRow>(
    `SELECT * FROM tollgate_settlements WHERE ${keyWhere}`,
  )
  const insertStatement = db.prepare<unknown[], SettlementRow>(
    `INSERT INTO tollgate_settlements (chain_id, asset, payer, nonce, state, payee, value, valid_after,
       valid_before, expires_at, signature, payment_id, hold_until, permit2, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  )
  const takeOverStatement = db.prepare<unknown[], SettlementRow>(
    `UPDATE tollgate_settlements SET state = ?, payee = ?, value = ?, valid_after = ?, valid_before = ?,
       expires_at = ?, signature = ?, payment_id = ?, hold_until = ?, permit2 = ?, tx_hash = NULL, sender = NULL,
       tx_nonce = NULL, block_number = NULL, block_hash = NULL, reason = NULL, owner = NULL,
       lease_until = NULL, version = version + 1, updated_at = ?
     WHERE ${keyWhere} AND version = ? RETURNING *`,
  )
  // Three index ranges, so a payer's settled history is never scanned.
  const payerWhere = 'chain_id = @chainId AND asset = @asset AND payer = @payer'
  const openStatement = db.prepare<unknown[], Pick<SettlementRow, 'state' | 'value'>>(
    `SELECT state, value FROM tollgate_settlements
       WHERE ${payerWhere} AND state IN ('queued', 'submitted')
     UNION ALL SELECT state, value FROM tollgate_settlements
       WHERE ${payerWhere} AND state = 'verified' AND hold_until > @time
     UNION ALL SELECT state, value FROM tollgate_settlements
       WHERE ${payerWhere} AND state = 'confirmed' AND block_number > @block`,
  )
  const byPaymentIdStatement = db.prepare<unknown[], SettlementRow>(
    'SELECT * FROM tollgate_settlements WHERE payment_id = ? ORDER BY created_at',
  )
  const byTransactionStatement = db.prepare<unknown[], SettlementRow>(
    'SELECT * FROM tollgate_settlements WHERE tx_hash = ? ORDER BY created_at',
  )
  const claimableStatement = db.prepare<unknown[], SettlementRow>(
    `SELECT * FROM tollgate_settlements
     WHERE chain_id = ? AND state = 'queued' AND (owner IS NULL OR owner = ? OR lease_until < ?)
     ORDER BY expires_at, created_at LIMIT ?`,
  )
  const leaseStatement = db.prepare<unknown[], SettlementRow>(
    `UPDATE tollgate_settlements SET owner = ?, lease_until = ?, version = version + 1, updated_at = ?
     WHERE ${keyWhere} AND version = ? RETURNING *`,
  )
  const countsStatement = db.prepare<unknown[], { state: string; n: number }>(
    'SELECT state, COUNT(*) AS n FROM tollgate_settlements GROUP BY state',
  )
  const insertTransactionStatement = db.prepare(
    `INSERT INTO tollgate_transactions (hash, chain_id, sender, nonce, raw, state, item_count, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
  )
  const getTransactionStatement = db.prepare<unknown[], TransactionRow>(
    'SELECT * FROM tollgate_transactions WHERE hash = ?',
  )
  const lastNonceStatement = db.prepare<unknown[], { n: number | null }>(
    "SELECT MAX(nonce) AS n FROM tollgate_transactions WHERE chain_id = ? AND sender = ? AND state <> 'dropped'",
  )

  const transitions = new Map<string, Statement<SettlementRow>>()
  const transactionUpdates = new Map<string, Statement<unknown>>()
  return {
    getStatement,
    insertStatement,
    takeOverStatement,
    openStatement,
    byPaymentIdStatement,
    byTransactionStatement,
    claimableStatement,
    leaseStatement,
    countsStatement,
    insertTransactionStatement,
    getTransactionStatement,
    lastNonceStatement,
    transitionStatement: (request) => prepareTransition(db, transitions, request),
    transactionUpdateStatement: (columns) =>
      prepareTransactionUpdate(db, transactionUpdates, columns),
  }
}

/** The UPDATE of a transition's shape (prepared once per shape, kept in `cache`), and its values. */
function prepareTransition(
  db: BetterSqlite3.Database,
  cache: Map<string, Statement<SettlementRow>>,
  request: TransitionRequest,
): { statement: Statement<SettlementRow>; values: (string | number | null)[] } {
  const columns = patchColumns(request.set)
  const id = [
    request.to,
    request.from.join(','),
    request.owner === undefined ? '' : 'owner',
    request.txHash === undefined ? '' : 'tx',
    request.set?.incrementAttempts ? 'attempts' : '',
    ...columns.map((c) => c.column),
  ].join('|')
  let statement = cache.get(id)
  if (!statement) {
    const sets = [
      'state = ?',
      'version = version + 1',
      'updated_at = ?',
      ...columns.map((c) => `${c.column} = ?`),
      ...(request.set?.incrementAttempts ? ['attempts = attempts + 1'] : []),
    ]
    statement = db.prepare<unknown[], SettlementRow>(
      `UPDATE tollgate_settlements SET ${sets.join(', ')}
       WHERE ${keyWhere} AND state IN (${statesSql(request.from)})
       ${request.owner === undefined ? '' : 'AND owner = ?'}
       ${request.txHash === undefined ? '' : 'AND tx_hash = ?'} RETURNING *`,
    )
    cache.set(id, statement)
  }
  return { statement, values: columns.map((c) => c.value) }
}

/** The UPDATE of a transaction row patching `columns` (prepared once per column set). */
function prepareTransactionUpdate(
  db: BetterSqlite3.Database,
  cache: Map<string, Statement<unknown>>,
  columns: readonly { column: string }[],
): Statement<unknown> {
  const id = columns.map((c) => c.column).join(',')
  let statement = cache.get(id)
  if (!statement) {
    statement = db.prepare(
      `UPDATE tollgate_transactions SET ${columns.map((c) => `${c.column} = ?`).join(', ')},
         updated_at = ? WHERE hash = ?`,
    )
    cache.set(id, statement)
  }
  return statement
}
