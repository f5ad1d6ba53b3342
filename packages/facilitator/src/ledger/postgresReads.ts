import { settlementStates } from '@tollgate/core'
import type { Address, Hex } from 'viem'
import type { PostgresQueryable } from './createPostgresLedger.js'
import { keyParams } from './key.js'
import { keyWhere } from './postgresWrites.js'
import {
  type SettlementRow,
  type TransactionRow,
  toSettlementRecord,
  toTransactionRecord,
} from './rows.js'
import type {
  AuthorizationKey,
  Ledger,
  ListParameters,
  SettlementRecord,
  SettlementState,
  TransactionRecord,
  TransactionState,
} from './types.js'

async function settlements(
  pool: PostgresQueryable,
  text: string,
  values: unknown[],
): Promise<SettlementRecord[]> {
  return (await pool.query<SettlementRow>(text, values)).rows.map(toSettlementRecord)
}

/** One row by its authorization key. */
export async function getSettlement(
  pool: PostgresQueryable,
  key: AuthorizationKey,
): Promise<SettlementRecord | undefined> {
  const [row] = await settlements(
    pool,
    `SELECT * FROM tollgate_settlements WHERE ${keyWhere}`,
    keyParams(key),
  )
  return row
}

/** The rows of a payment identifier, oldest first. */
export function settlementsByPaymentId(
  pool: PostgresQueryable,
  paymentId: string,
): Promise<SettlementRecord[]> {
  return settlements(
    pool,
    'SELECT * FROM tollgate_settlements WHERE payment_id = $1 ORDER BY created_at',
    [paymentId],
  )
}

/** The rows a transaction carries, oldest first. */
export function settlementsByTransaction(
  pool: PostgresQueryable,
  hash: Hex,
): Promise<SettlementRecord[]> {
  return settlements(
    pool,
    'SELECT * FROM tollgate_settlements WHERE tx_hash = $1 ORDER BY created_at',
    [hash.toLowerCase()],
  )
}

/** Rows in some states, earliest deadline first. */
export function listSettlements(
  pool: PostgresQueryable,
  { chainId, states, holdBefore, orphaned, limit = 1_000 }: ListParameters,
): Promise<SettlementRecord[]> {
  return settlements(
    pool,
    `SELECT * FROM tollgate_settlements s WHERE state = ANY($1::text[])
       AND ($2::integer IS NULL OR chain_id = $2) AND ($4::bigint IS NULL OR hold_until < $4)
       AND (NOT $5::boolean OR NOT EXISTS (SELECT 1 FROM tollgate_transactions t
         WHERE t.hash = s.tx_hash AND t.state IN ('pending', 'mined')))
     ORDER BY expires_at LIMIT $3`,
    [states, chainId ?? null, limit, holdBefore ?? null, orphaned === true],
  )
}

/** One transaction by hash. */
export async function getTransaction(
  pool: PostgresQueryable,
  hash: Hex,
): Promise<TransactionRecord | undefined> {
  const { rows } = await pool.query<TransactionRow>(
    'SELECT * FROM tollgate_transactions WHERE hash = $1',
    [hash.toLowerCase()],
  )
  return rows[0] ? toTransactionRecord(rows[0]) : undefined
}

/** A chain's transactions in some states, by sender and nonce. */
export async function listTransactions(
  pool: PostgresQueryable,
  { chainId, states, sender, nonce, minBlock }: Parameters<Ledger['listTransactions']>[0],
): Promise<TransactionRecord[]> {
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
}

/** The highest nonce of a sender's transactions that are not dropped. */
export async function lastTransactionNonce(
  pool: PostgresQueryable,
  { chainId, sender }: { chainId: number; sender: Address },
): Promise<number | undefined> {
  const { rows } = await pool.query<{ n: string | null }>(
    "SELECT MAX(nonce)::text AS n FROM tollgate_transactions WHERE chain_id = $1 AND sender = $2 AND state <> 'dropped'",
    [chainId, sender.toLowerCase()],
  )
  const n = rows[0]?.n
  return n === null || n === undefined ? undefined : Number(n)
}

/** Rows per state, every state present. */
export async function countStates(
  pool: PostgresQueryable,
): Promise<Record<SettlementState, number>> {
  const counts = Object.fromEntries(settlementStates.map((s) => [s, 0])) as Record<
    SettlementState,
    number
  >
  const { rows } = await pool.query<{ state: string; n: string }>(
    'SELECT state, COUNT(*)::text AS n FROM tollgate_settlements GROUP BY state',
  )
  for (const row of rows) counts[row.state as SettlementState] = Number(row.n)
  return counts
}
