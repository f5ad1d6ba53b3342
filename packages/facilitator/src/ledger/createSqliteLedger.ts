import type { Address } from 'viem'
import type { LedgerDriverError, LedgerOpenError } from '../errors.js'
import { LedgerConflictError } from '../errors.js'
import { keyParams, Rollback } from './key.js'
import { toSettlementRecord, toTransactionRecord } from './rows.js'
import { openSqliteDatabase } from './sqliteDatabase.js'
import { createGroupCommit } from './sqliteGroupCommit.js'
import { countStates, listSettlements, listTransactions } from './sqliteReads.js'
import { prepareSqliteStatements } from './sqliteStatements.js'
import { createSqliteWrites } from './sqliteWrites.js'
import type { Ledger, ReserveResult } from './types.js'

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
  const db = await openSqliteDatabase(path, { synchronous, busyTimeoutMs })
  const statements = prepareSqliteStatements(db)
  const { openAmounts, reserveTransaction, writeTransaction, claimTransaction } =
    createSqliteWrites(db, statements)
  const { getStatement, byPaymentIdStatement, byTransactionStatement } = statements
  const commits = createGroupCommit(db, { synchronous })
  const enqueue = commits.enqueue

  return {
    kind: 'sqlite',
    // `':memory:'` and `''` (a temporary file deleted on close) forget everything with the process.
    durable: !db.memory && path !== '',
    reserve: (entry, parameters) =>
      enqueue(() => reserveRetrying(() => reserveTransaction(entry, parameters, now())), {
        durable: parameters.durable,
      }),
    async get(key) {
      const row = getStatement.get(...keyParams(key))
      return row ? toSettlementRecord(row) : undefined
    },
    getByPaymentId: async (paymentId) =>
      byPaymentIdStatement.all(paymentId).map(toSettlementRecord),
    listByTransaction: async (hash) =>
      byTransactionStatement.all(hash.toLowerCase()).map(toSettlementRecord),
    list: async (parameters) => listSettlements(db, parameters),
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
    claim: (parameters) =>
      enqueue(() => claimTransaction(parameters, now()), { durable: parameters.durable }),
    async getTransaction(hash) {
      const row = statements.getTransactionStatement.get(hash.toLowerCase())
      return row ? toTransactionRecord(row) : undefined
    },
    listTransactions: async (parameters) => listTransactions(db, parameters),
    async lastTransactionNonce({ chainId, sender }: { chainId: number; sender: Address }) {
      return statements.lastNonceStatement.get(chainId, sender.toLowerCase())?.n ?? undefined
    },
    counts: async () => countStates(statements),
    async close() {
      commits.close()
      if (db.open) db.close()
    },
  }
}

/** A reservation, read again when another process changed its row in between (three tries). */
function reserveRetrying(reserve: () => ReserveResult | undefined): ReserveResult {
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = reserve()
    if (result) return result
  }
  throw new LedgerConflictError({ operation: 'reserve', attempts: 3 })
}
