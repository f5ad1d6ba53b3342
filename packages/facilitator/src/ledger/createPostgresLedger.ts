import { settlementStates } from '@tollgate/core'
import type { Address } from 'viem'
import type { LedgerOpenError } from '../errors.js'
import { keyParams } from './key.js'
import { migratePostgres } from './postgresSchema.js'
import { postgresTransaction } from './postgresTransaction.js'
import { createPostgresWrites, keyWhere } from './postgresWrites.js'
import {
  type SettlementRow,
  type TransactionRow,
  toSettlementRecord,
  toTransactionRecord,
} from './rows.js'
import type { Ledger, SettlementState, TransactionState } from './types.js'

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

  const ledger: Ledger = {
    kind: 'postgres',
    durable: true,
    reserve: writes.reserve,
    async get(key) {
      const { rows } = await pool.query<SettlementRow>(
        `SELECT * FROM tollgate_settlements WHERE ${keyWhere}`,
        keyParams(key),
      )
      return rows[0] ? toSettlementRecord(rows[0]) : undefined
    },
    async getByPaymentId(paymentId) {
      const { rows } = await pool.query<SettlementRow>(
        'SELECT * FROM tollgate_settlements WHERE payment_id = $1 ORDER BY created_at',
        [paymentId],
      )
      return rows.map(toSettlementRecord)
    },
    async listByTransaction(hash) {
      const { rows } = await pool.query<SettlementRow>(
        'SELECT * FROM tollgate_settlements WHERE tx_hash = $1 ORDER BY created_at',
        [hash.toLowerCase()],
      )
      return rows.map(toSettlementRecord)
    },
    async list({ chainId, states, holdBefore, orphaned, limit = 1_000 }) {
      const { rows } = await pool.query<SettlementRow>(
        `SELECT * FROM tollgate_settlements s WHERE state = ANY($1::text[])
           AND ($2::integer IS NULL OR chain_id = $2) AND ($4::bigint IS NULL OR hold_until < $4)
           AND (NOT $5::boolean OR NOT EXISTS (SELECT 1 FROM tollgate_transactions t
             WHERE t.hash = s.tx_hash AND t.state IN ('pending', 'mined')))
         ORDER BY expires_at LIMIT $3`,
        [states, chainId ?? null, limit, holdBefore ?? null, orphaned === true],
      )
      return rows.map(toSettlementRecord)
    },
    async reserved(key, { balanceBlock } = {}) {
      const { open, unreflected } = await writes.openAmounts(pool, key, now(), balanceBlock)
      return open + unreflected
    },
    async transition(request, options) {
      return (await writes.write({ transitions: [request] }, options)).records
    },
    write: (request) => writes.write(request, { durable: request.durable }),
    claim: writes.claim,
    async getTransaction(hash) {
      const { rows } = await pool.query<TransactionRow>(
        'SELECT * FROM tollgate_transactions WHERE hash = $1',
        [hash.toLowerCase()],
      )
      return rows[0] ? toTransactionRecord(rows[0]) : undefined
    },
    async listTransactions({ chainId, states, sender, nonce, minBlock }) {
      const { rows } = await pool.query<TransactionRow>(
        `SELECT * FROM tollgate_transactions WHERE chain_id = $1 AND state = ANY($2::text[])
           AND ($3::text IS NULL OR sender = $3) AND ($4::bigint IS NULL OR block_number > $4)
           AND ($5::bigint IS NULL OR nonce = $5)
           ORDER BY sender, nonce, created_at`,
        [
          chainId,
          states as readonly TransactionState[],
          sender?.toLowerCase() ?? null,
          minBlock?.toString() ?? null,
          nonce ?? null,
        ],
      )
      return rows.map(toTransactionRecord)
    },
    async lastTransactionNonce({ chainId, sender }: { chainId: number; sender: Address }) {
      const { rows } = await pool.query<{ n: string | null }>(
        "SELECT MAX(nonce)::text AS n FROM tollgate_transactions WHERE chain_id = $1 AND sender = $2 AND state <> 'dropped'",
        [chainId, sender.toLowerCase()],
      )
      const n = rows[0]?.n
      return n === null || n === undefined ? undefined : Number(n)
    },
    async counts() {
      const counts = Object.fromEntries(settlementStates.map((s) => [s, 0])) as Record<
        SettlementState,
        number
      >
      const { rows } = await pool.query<{ state: string; n: string }>(
        'SELECT state, COUNT(*)::text AS n FROM tollgate_settlements GROUP BY state',
      )
      for (const row of rows) counts[row.state as SettlementState] = Number(row.n)
      return counts
    },
    async close() {
      // The pool belongs to the caller, who ends it.
    },
  }
  return ledger
}
