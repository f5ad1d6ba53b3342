import { settlementStates } from '@tollgate/core'
import type { Address } from 'viem'
import { LedgerOpenError } from '../errors.js'
import { keyParams, normalizeKey, Rollback } from './key.js'
import { postgresTransaction } from './postgresTransaction.js'
import {
  assertTransition,
  expiresAt,
  patchColumns,
  permit2Column,
  type SettlementRow,
  type TransactionRow,
  toSettlementRecord,
  toTransactionRecord,
  transactionPatchColumns,
} from './rows.js'
import type {
  AuthorizationKey,
  Ledger,
  LedgerWrite,
  LedgerWriteResult,
  ReserveParameters,
  ReserveResult,
  SettlementEntry,
  SettlementRecord,
  SettlementState,
  TransactionState,
  TransitionRequest,
  WriteDurability,
} from './types.js'

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

const schema = `
CREATE TABLE IF NOT EXISTS tollgate_settlements (
  chain_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  payer TEXT NOT NULL,
  nonce TEXT NOT NULL,
  state TEXT NOT NULL,
  payee TEXT NOT NULL,
  value NUMERIC(78, 0) NOT NULL,
  valid_after NUMERIC(78, 0) NOT NULL,
  valid_before NUMERIC(78, 0) NOT NULL,
  expires_at BIGINT NOT NULL,
  signature TEXT NOT NULL,
  payment_id TEXT,
  permit2 TEXT,
  hold_until BIGINT,
  tx_hash TEXT,
  sender TEXT,
  tx_nonce BIGINT,
  block_number BIGINT,
  block_hash TEXT,
  reason TEXT,
  owner TEXT,
  lease_until BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (chain_id, asset, payer, nonce)
);
CREATE INDEX IF NOT EXISTS tollgate_settlements_payer ON tollgate_settlements (chain_id, asset, payer, state);
CREATE INDEX IF NOT EXISTS tollgate_settlements_queue ON tollgate_settlements (chain_id, state, expires_at);
CREATE INDEX IF NOT EXISTS tollgate_settlements_tx ON tollgate_settlements (tx_hash);
CREATE INDEX IF NOT EXISTS tollgate_settlements_payment_id ON tollgate_settlements (payment_id);
CREATE TABLE IF NOT EXISTS tollgate_transactions (
  hash TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  sender TEXT NOT NULL,
  nonce BIGINT NOT NULL,
  raw TEXT NOT NULL,
  state TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  block_number BIGINT,
  block_hash TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS tollgate_transactions_sender ON tollgate_transactions (chain_id, sender, nonce);
CREATE INDEX IF NOT EXISTS tollgate_transactions_state ON tollgate_transactions (chain_id, state);
ALTER TABLE tollgate_settlements ADD COLUMN IF NOT EXISTS permit2 TEXT;
`

// Arbitrary constant naming the migration lock, so instances starting together do not race on
// CREATE TABLE IF NOT EXISTS (which is not safe under concurrency in PostgreSQL).
const migrationLock = 7_402_402_402

const keyWhere = 'chain_id = $1 AND asset = $2 AND payer = $3 AND nonce = $4'

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

  const inTransaction = <result>(
    fn: (client: PostgresQueryable) => Promise<result>,
    durability?: WriteDurability,
  ) => postgresTransaction(pool, fn, durability)

  await inTransaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock])
    await client.query(schema)
  }).catch((cause: unknown) => {
    throw new LedgerOpenError({ kind: 'postgres', cause })
  })

  async function openAmounts(
    client: PostgresQueryable,
    key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
    time: number,
    balanceBlock: bigint | undefined,
  ): Promise<{ open: bigint; unreflected: bigint }> {
    const { rows } = await client.query<{ open: string; unreflected: string }>(
      `SELECT COALESCE(SUM(value) FILTER (WHERE state <> 'confirmed'), 0)::text AS open,
              COALESCE(SUM(value) FILTER (WHERE state = 'confirmed'), 0)::text AS unreflected
       FROM tollgate_settlements
       WHERE chain_id = $1 AND asset = $2 AND payer = $3
         AND (state IN ('queued', 'submitted') OR (state = 'verified' AND hold_until > $4)
              OR (state = 'confirmed' AND block_number > $5))`,
      [
        key.chainId,
        key.asset.toLowerCase(),
        key.payer.toLowerCase(),
        time,
        balanceBlock === undefined ? Number.MAX_SAFE_INTEGER : balanceBlock.toString(),
      ],
    )
    return { open: BigInt(rows[0]?.open ?? 0), unreflected: BigInt(rows[0]?.unreflected ?? 0) }
  }

  async function runTransition(
    client: PostgresQueryable,
    request: TransitionRequest,
    time: number,
  ): Promise<SettlementRecord[]> {
    assertTransition(request)
    if (request.keys.length === 0) return []
    const columns = patchColumns(request.set)
    const values: unknown[] = [request.to, time]
    const sets = ['state = $1', 'version = version + 1', 'updated_at = $2']
    for (const column of columns) {
      values.push(column.value)
      sets.push(`${column.column} = $${values.length}`)
    }
    if (request.set?.incrementAttempts) sets.push('attempts = attempts + 1')
    const keys = request.keys.map(normalizeKey)
    values.push(
      keys.map((k) => k.chainId),
      keys.map((k) => k.asset),
      keys.map((k) => k.payer),
      keys.map((k) => k.nonce),
      request.from,
    )
    const n = values.length
    let where = `(chain_id, asset, payer, nonce) IN (
        SELECT * FROM unnest($${n - 4}::integer[], $${n - 3}::text[], $${n - 2}::text[], $${n - 1}::text[]))
      AND state = ANY($${n}::text[])`
    if (request.owner !== undefined) {
      values.push(request.owner)
      where += ` AND owner = $${values.length}`
    }
    if (request.txHash !== undefined) {
      values.push(request.txHash.toLowerCase())
      where += ` AND tx_hash = $${values.length}`
    }
    const { rows } = await client.query<SettlementRow>(
      `UPDATE tollgate_settlements SET ${sets.join(', ')} WHERE ${where} RETURNING *`,
      values,
    )
    return rows.map(toSettlementRecord)
  }

  async function write(
    write: LedgerWrite,
    durability?: WriteDurability,
  ): Promise<LedgerWriteResult> {
    const time = now()
    try {
      return await inTransaction(async (client) => {
        const records: SettlementRecord[] = []
        for (const request of write.transitions ?? []) {
          const changed = await runTransition(client, request, time)
          if (write.atomic && changed.length !== request.keys.length) throw new Rollback()
          records.push(...changed)
        }
        const tx = write.insertTransaction
        if (tx) {
          const itemCount = write.transitions?.reduce((n, r) => n + r.keys.length, 0) ?? 0
          await client.query(
            `INSERT INTO tollgate_transactions (hash, chain_id, sender, nonce, raw, state, item_count, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7)`,
            [
              tx.hash.toLowerCase(),
              tx.chainId,
              tx.sender.toLowerCase(),
              tx.nonce,
              tx.raw,
              itemCount,
              time,
            ],
          )
        }
        const update = write.updateTransaction
        if (update) {
          const columns = transactionPatchColumns(update.set)
          if (columns.length > 0) {
            await client.query(
              `UPDATE tollgate_transactions SET ${columns.map((c, i) => `${c.column} = $${i + 1}`).join(', ')},
                 updated_at = $${columns.length + 1} WHERE hash = $${columns.length + 2}`,
              [...columns.map((c) => c.value), time, update.hash.toLowerCase()],
            )
          }
        }
        return { ok: true, records }
      }, durability)
    } catch (error) {
      if (error instanceof Rollback) return { ok: false, records: [] }
      throw error
    }
  }

  const ledger: Ledger = {
    kind: 'postgres',
    durable: true,
    async reserve(entry: SettlementEntry, parameters: ReserveParameters): Promise<ReserveResult> {
      const time = now()
      const key = keyParams(entry)
      return inTransaction(async (client) => {
        // One lock per payer: the balance and exposure checks below stay true until commit, even
        // with several instances reserving for the same payer at once.
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `${key[0]}:${key[1]}:${key[2]}`,
        ])
        const { rows: existingRows } = await client.query<SettlementRow>(
          `SELECT * FROM tollgate_settlements WHERE ${keyWhere} FOR UPDATE`,
          key,
        )
        const existing = existingRows[0] ? toSettlementRecord(existingRows[0]) : undefined
        if (existing) {
          const lapsed =
            existing.state === 'released' ||
            (existing.state === 'verified' && (existing.holdUntil ?? 0) <= time)
          if (!lapsed) return { status: 'exists', record: existing }
        }
        const { open, unreflected } = await openAmounts(
          client,
          entry,
          time,
          parameters.balanceBlock,
        )
        if (parameters.exposureCap !== undefined && open + entry.value > parameters.exposureCap)
          return { status: 'exposure_cap', exposure: open }
        if (
          parameters.balance !== undefined &&
          open + unreflected + entry.value > parameters.balance
        )
          return { status: 'insufficient_balance', reserved: open + unreflected }
        const holdUntil =
          parameters.state === 'verified' ? time + (parameters.holdMs ?? 300_000) : null
        const fields = [
          parameters.state,
          entry.payee.toLowerCase(),
          entry.value.toString(),
          entry.validAfter.toString(),
          entry.validBefore.toString(),
          expiresAt(entry.validBefore),
          entry.signature,
          entry.paymentId ?? null,
          holdUntil,
          permit2Column(entry.permit2),
        ]
        const { rows } = existing
          ? await client.query<SettlementRow>(
              `UPDATE tollgate_settlements SET state = $5, payee = $6, value = $7, valid_after = $8,
                 valid_before = $9, expires_at = $10, signature = $11, payment_id = $12, hold_until = $13,
                 permit2 = $14, tx_hash = NULL, sender = NULL, tx_nonce = NULL, block_number = NULL,
                 block_hash = NULL, reason = NULL, owner = NULL, lease_until = NULL, version = version + 1,
                 updated_at = $15
               WHERE ${keyWhere} RETURNING *`,
              [...key, ...fields, time],
            )
          : await client.query<SettlementRow>(
              `INSERT INTO tollgate_settlements (chain_id, asset, payer, nonce, state, payee, value,
                 valid_after, valid_before, expires_at, signature, payment_id, hold_until, permit2,
                 created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING *`,
              [...key, ...fields, time],
            )
        return { status: 'reserved', record: toSettlementRecord(rows[0]!) }
      }, parameters)
    },
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
    async list({ chainId, states, limit = 1_000 }) {
      const { rows } = await pool.query<SettlementRow>(
        `SELECT * FROM tollgate_settlements WHERE state = ANY($1::text[])
           AND ($2::integer IS NULL OR chain_id = $2) ORDER BY expires_at LIMIT $3`,
        [states, chainId ?? null, limit],
      )
      return rows.map(toSettlementRecord)
    },
    async reserved(key, { balanceBlock } = {}) {
      const { open, unreflected } = await openAmounts(pool, key, now(), balanceBlock)
      return open + unreflected
    },
    async transition(request, options) {
      return (await write({ transitions: [request] }, options)).records
    },
    write: (request) => write(request, { durable: request.durable }),
    async claim({ chainId, owner, limit, leaseMs }) {
      const time = now()
      const { rows } = await pool.query<SettlementRow>(
        `UPDATE tollgate_settlements s SET owner = $1, lease_until = $2, version = s.version + 1, updated_at = $3
         FROM (SELECT chain_id, asset, payer, nonce FROM tollgate_settlements
               WHERE chain_id = $4 AND state = 'queued' AND (owner IS NULL OR owner = $1 OR lease_until < $3)
               ORDER BY expires_at, created_at LIMIT $5 FOR UPDATE SKIP LOCKED) c
         WHERE s.chain_id = c.chain_id AND s.asset = c.asset AND s.payer = c.payer AND s.nonce = c.nonce
         RETURNING s.*`,
        [owner, time + leaseMs, time, chainId, limit],
      )
      // RETURNING has no order: give the rows back in claim order, earliest deadline first.
      return rows
        .map(toSettlementRecord)
        .sort((a, b) =>
          a.validBefore === b.validBefore
            ? a.createdAt - b.createdAt
            : a.validBefore < b.validBefore
              ? -1
              : 1,
        )
    },
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
