import type { LedgerOpenError } from '../errors.js'
import {
  countStates,
  getSettlement,
  getTransaction,
  lastTransactionNonce,
  listSettlements,
  listTransactions,
  settlementsByPaymentId,
  settlementsByTransaction,
} from './postgresReads.js'
import { migratePostgres } from './postgresSchema.js'
import { postgresTransaction } from './postgresTransaction.js'
import { createPostgresWrites } from './postgresWrites.js'
import type { Ledger } from './types.js'

type QueryResult<row> = { rows: row[]; rowCount: number | null }

/** What the ledger needs of a `pg` client: `query`. */
export type PostgresQueryable = {
  query<row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<row>>
}

/** What the ledger needs of a `pg.Pool`: `query` and `connect` (for transactions). */
export type PostgresPool = PostgresQueryable & {
  connect(): Promise<PostgresQueryable & { release(error?: Error | boolean): void }>
}

/** What {@link createPostgresLedger} throws. */
export type CreatePostgresLedgerErrorType = LedgerOpenError

/** Options of {@link createPostgresLedger}. */
export type CreatePostgresLedgerParameters = {
  /** Clock in ms (tests). @default Date.now */
  now?: (() => number) | undefined
}

/**
 * A {@link Ledger} on PostgreSQL through a `pg` pool (an optional peer), for several facilitator
 * instances on one database: per-payer advisory locks make reservations atomic across instances,
 * and `FOR UPDATE SKIP LOCKED` hands each queued row to one settler.
 *
 * @example
 * import pg from 'pg'
 * const ledger = await createPostgresLedger(new pg.Pool({ connectionString }))
 */
export async function createPostgresLedger(
  pool: PostgresPool,
  parameters: CreatePostgresLedgerParameters = {},
): Promise<Ledger> {
  const { now = Date.now } = parameters

  await migratePostgres((fn) => postgresTransaction(pool, fn))
  const writes = createPostgresWrites(pool, now)

  return {
    kind: 'postgres',
    durable: true,
    reserve: writes.reserve,
    get: (key) => getSettlement(pool, key),
    getByPaymentId: (paymentId) => settlementsByPaymentId(pool, paymentId),
    listByTransaction: (hash) => settlementsByTransaction(pool, hash),
    list: (parameters) => listSettlements(pool, parameters),
    async reserved(key, { balanceBlock } = {}) {
      const { open, unreflected } = await writes.openAmounts(pool, key, now(), balanceBlock)
      return open + unreflected
    },
    async transition(request, options) {
      return (await writes.write({ transitions: [request] }, options)).records
    },
    write: (request) => writes.write(request, { durable: request.durable }),
    claim: writes.claim,
    getTransaction: (hash) => getTransaction(pool, hash),
    listTransactions: (parameters) => listTransactions(pool, parameters),
    lastTransactionNonce: (parameters) => lastTransactionNonce(pool, parameters),
    counts: () => countStates(pool),
    async close() {
      // The pool belongs to the caller, who ends it.
    },
  }
}
