import { settlementStates } from '@tollgate/core'
import type BetterSqlite3 from 'better-sqlite3'
import type { Address } from 'viem'
import { LedgerConflictError, LedgerDriverError, LedgerOpenError } from '../errors.js'
import { keyParams, Rollback } from './key.js'
import {
  type SettlementRow,
  type TransactionRow,
  toSettlementRecord,
  toTransactionRecord,
} from './rows.js'
import { createGroupCommit } from './sqliteGroupCommit.js'
import { applySqliteSchema } from './sqliteSchema.js'
import { prepareSqliteStatements, statesSql } from './sqliteStatements.js'
import { createSqliteWrites } from './sqliteWrites.js'
import type { Ledger, ListParameters, SettlementState, TransactionState } from './types.js'

/** What {@link createSqliteLedger} throws. */
export type CreateSqliteLedgerErrorType = LedgerDriverError | LedgerOpenError

/** Options of {@link createSqliteLedger}. */
export type CreateSqliteLedgerParameters = {
  /**
   * `full` (the default) syncs the write-ahead log on every commit: a `queued` answer promises the
   * merchant a settlement, and that promise must survive a power loss, not only a crash of the
   * process. It costs one fsync per commit (about 0.3 ms on an SSD); the writes of one event-loop
   * turn share a commit. `normal` skips it: still safe against `kill -9` (the WAL is in the OS
   * cache), but a power loss may forget the last commits.
   * @default 'full'
   */
  synchronous?: 'full' | 'normal' | undefined
  /** How long a writer waits for another process's lock, in ms. @default 5000 */
  busyTimeoutMs?: number | undefined
  /** Clock in ms (tests). @default Date.now */
  now?: (() => number) | undefined
}

/**
 * A {@link Ledger} on SQLite through `better-sqlite3` (an optional peer): one file (or
 * `':memory:'`), WAL mode, every write in an `IMMEDIATE` transaction, so several processes may
 * share a file (writers take turns; readers never block).
 *
 * @example
 * const ledger = await createSqliteLedger('./facilitator.db')
 */
export async function createSqliteLedger(
  path: string,
  parameters: CreateSqliteLedgerParameters = {},
): Promise<Ledger> {
  const { synchronous = 'full', busyTimeoutMs = 5_000, now = Date.now } = parameters
  let Database: typeof BetterSqlite3
  try {
    Database = (await import('better-sqlite3')).default
  } catch (cause) {
    throw new LedgerDriverError({ driver: 'better-sqlite3', cause })
  }
  let db: BetterSqlite3.Database
  try {
    db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
    // Each write of a group commit is a savepoint, whose rollback journal SQLite otherwise keeps in
    // a temporary file: in memory, the ledger's CPU per payment drops by a third (bench/ledger.ts).
    // Nothing durable lives there; the WAL is what survives a crash.
    db.pragma('temp_store = MEMORY')
    applySqliteSchema(db)
  } catch (cause) {
    throw new LedgerOpenError({ kind: 'sqlite', cause })
  }

  const statements = prepareSqliteStatements(db)
  const { openAmounts, reserveTransaction, writeTransaction, claimTransaction } =
    createSqliteWrites(db, statements)
  const {
    getStatement,
    byPaymentIdStatement,
    byTransactionStatement,
    countsStatement,
    getTransactionStatement,
    lastNonceStatement,
  } = statements

  const commits = createGroupCommit(db, { synchronous })
  const enqueue = commits.enqueue

  const ledger: Ledger = {
    kind: 'sqlite',
    // `':memory:'` and `''` (a temporary file deleted on close) forget everything with the process.
    durable: !db.memory && path !== '',
    async reserve(entry, parameters) {
      return enqueue(
        () => {
          for (let attempt = 0; attempt < 3; attempt++) {
            const result = reserveTransaction(entry, parameters, now())
            if (result) return result
          }
          throw new LedgerConflictError({ operation: 'reserve', attempts: 3 })
        },
        { durable: parameters.durable },
      )
    },
    async get(key) {
      const row = getStatement.get(...keyParams(key))
      return row ? toSettlementRecord(row) : undefined
    },
    async getByPaymentId(paymentId) {
      return byPaymentIdStatement.all(paymentId).map(toSettlementRecord)
    },
    async listByTransaction(hash) {
      return byTransactionStatement.all(hash.toLowerCase()).map(toSettlementRecord)
    },
    async list({ chainId, states, limit = 1_000 }: ListParameters) {
      const where = [`state IN (${statesSql(states.filter((s) => settlementStates.includes(s)))})`]
      if (chainId !== undefined) where.push('chain_id = ?')
      const rows = db
        .prepare<unknown[], SettlementRow>(
          `SELECT * FROM tollgate_settlements WHERE ${where.join(' AND ')} ORDER BY expires_at LIMIT ?`,
        )
        .all(...(chainId === undefined ? [] : [chainId]), limit)
      return rows.map(toSettlementRecord)
    },
    async reserved(key, { balanceBlock } = {}) {
      const { open, unreflected } = openAmounts(key, now(), balanceBlock)
      return open + unreflected
    },
    async transition(request, options) {
      const write = () => writeTransaction({ transitions: [request] }, now())
      return (await enqueue(write, { durable: options?.durable })).records
    },
    async write(write) {
      try {
        return await enqueue(() => writeTransaction(write, now()), { durable: write.durable })
      } catch (error) {
        if (error instanceof Rollback) return { ok: false, records: [] }
        throw error
      }
    },
    async claim(parameters) {
      return enqueue(() => claimTransaction(parameters, now()), { durable: parameters.durable })
    },
    async getTransaction(hash) {
      const row = getTransactionStatement.get(hash.toLowerCase())
      return row ? toTransactionRecord(row) : undefined
    },
    async listTransactions({ chainId, states, sender, nonce, minBlock }) {
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
    },
    async lastTransactionNonce({ chainId, sender }: { chainId: number; sender: Address }) {
      const row = lastNonceStatement.get(chainId, sender.toLowerCase())
      return row?.n ?? undefined
    },
    async counts() {
      const counts = Object.fromEntries(settlementStates.map((s) => [s, 0])) as Record<
        SettlementState,
        number
      >
      for (const row of countsStatement.all()) counts[row.state as SettlementState] = row.n
      return counts
    },
    async close() {
      commits.close()
      if (db.open) db.close()
    },
  }
  return ledger
}
