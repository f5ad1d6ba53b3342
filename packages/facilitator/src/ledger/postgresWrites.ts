import type { PostgresPool, PostgresQueryable } from './createPostgresLedger.js'
import { keyParams, normalizeKey, Rollback } from './key.js'
import { postgresTransaction } from './postgresTransaction.js'
import { decideReservation, isLapsed, itemCountOf, type OpenAmounts } from './reservation.js'
import {
  assertTransition,
  patchColumns,
  type SettlementRow,
  toSettlementRecord,
  transactionPatchColumns,
} from './rows.js'
import type {
  AuthorizationKey,
  ClaimParameters,
  LedgerWrite,
  LedgerWriteResult,
  ReserveParameters,
  ReserveResult,
  SettlementEntry,
  SettlementRecord,
  TransitionRequest,
  WriteDurability,
} from './types.js'

export const keyWhere = 'chain_id = $1 AND asset = $2 AND payer = $3 AND nonce = $4'

/** The PostgreSQL ledger's writes, each one transaction on a connection of `pool`. */
export type PostgresWrites = {
  openAmounts(
    client: PostgresQueryable,
    key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
    time: number,
    balanceBlock: bigint | undefined,
  ): Promise<OpenAmounts>
  reserve(entry: SettlementEntry, parameters: ReserveParameters): Promise<ReserveResult>
  write(write: LedgerWrite, durability?: WriteDurability): Promise<LedgerWriteResult>
  claim(parameters: ClaimParameters): Promise<SettlementRecord[]>
}

/** The write plans of the PostgreSQL ledger on `pool`, with `now` as its clock. */
export function createPostgresWrites(pool: PostgresPool, now: () => number): PostgresWrites {
  const inTransaction = <result>(
    fn: (client: PostgresQueryable) => Promise<result>,
    durability?: WriteDurability,
  ) => postgresTransaction(pool, fn, durability)

  return {
    openAmounts,
    reserve: (entry, parameters) =>
      inTransaction((client) => reserveIn(client, entry, parameters, now()), parameters),
    async write(write, durability) {
      const time = now()
      try {
        return await inTransaction((client) => writeIn(client, write, time), durability)
      } catch (error) {
        if (error instanceof Rollback) return { ok: false, records: [] }
        throw error
      }
    },
    claim: (parameters) => claim(pool, parameters, now()),
  }
}

async function openAmounts(
  client: PostgresQueryable,
  key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
  time: number,
  balanceBlock: bigint | undefined,
): Promise<OpenAmounts> {
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

/**
 * A reservation inside its transaction. One lock per payer: the balance and exposure checks stay
 * true until commit, even with several instances reserving for the same payer at once.
 */
async function reserveIn(
  client: PostgresQueryable,
  entry: SettlementEntry,
  parameters: ReserveParameters,
  time: number,
): Promise<ReserveResult> {
  const key = keyParams(entry)
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `${key[0]}:${key[1]}:${key[2]}`,
  ])
  const { rows: existingRows } = await client.query<SettlementRow>(
    `SELECT * FROM tollgate_settlements WHERE ${keyWhere} FOR UPDATE`,
    key,
  )
  const existing = existingRows[0] ? toSettlementRecord(existingRows[0]) : undefined
  if (existing && !isLapsed(existing, time)) return { status: 'exists', record: existing }
  const amounts = await openAmounts(client, entry, time, parameters.balanceBlock)
  const decision = decideReservation(entry, parameters, amounts, time)
  if (decision.status !== 'reserve') return decision
  const { rows } = await client.query<SettlementRow>(existing ? takeOverSql : insertSql, [
    ...key,
    ...decision.fields,
    time,
  ])
  return { status: 'reserved', record: toSettlementRecord(rows[0]!) }
}

/** A lapsed row taken over by a new reservation: everything of its last life cleared. */
const takeOverSql = `UPDATE tollgate_settlements SET state = $5, payee = $6, value = $7, valid_after = $8,
   valid_before = $9, expires_at = $10, signature = $11, payment_id = $12, hold_until = $13,
   permit2 = $14, tx_hash = NULL, sender = NULL, tx_nonce = NULL, block_number = NULL,
   block_hash = NULL, reason = NULL, owner = NULL, lease_until = NULL, version = version + 1,
   updated_at = $15
 WHERE ${keyWhere} RETURNING *`

const insertSql = `INSERT INTO tollgate_settlements (chain_id, asset, payer, nonce, state, payee, value,
   valid_after, valid_before, expires_at, signature, payment_id, hold_until, permit2,
   created_at, updated_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING *`

/** Several transitions and a transaction change, inside one transaction; `Rollback` undoes it. */
async function writeIn(
  client: PostgresQueryable,
  write: LedgerWrite,
  time: number,
): Promise<LedgerWriteResult> {
  const records: SettlementRecord[] = []
  for (const request of write.transitions ?? []) {
    const changed = await runTransition(client, request, time)
    if (write.atomic && changed.length !== request.keys.length) throw new Rollback()
    records.push(...changed)
  }
  const tx = write.insertTransaction
  if (tx)
    await client.query(
      `INSERT INTO tollgate_transactions (hash, chain_id, sender, nonce, raw, state, item_count, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7)`,
      [
        tx.hash.toLowerCase(),
        tx.chainId,
        tx.sender.toLowerCase(),
        tx.nonce,
        tx.raw,
        itemCountOf(write.transitions),
        time,
      ],
    )
  const update = write.updateTransaction
  const columns = update ? transactionPatchColumns(update.set) : []
  if (update && columns.length > 0)
    await client.query(
      `UPDATE tollgate_transactions SET ${columns.map((c, i) => `${c.column} = $${i + 1}`).join(', ')},
         updated_at = $${columns.length + 1} WHERE hash = $${columns.length + 2}`,
      [...columns.map((c) => c.value), time, update.hash.toLowerCase()],
    )
  return { ok: true, records }
}

/** One compare-and-set transition of many rows in one statement; the rows it changed. */
async function runTransition(
  client: PostgresQueryable,
  request: TransitionRequest,
  time: number,
): Promise<SettlementRecord[]> {
  assertTransition(request)
  if (request.keys.length === 0) return []
  const values: unknown[] = [request.to, time]
  const sets = ['state = $1', 'version = version + 1', 'updated_at = $2']
  for (const column of patchColumns(request.set)) {
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

/** Leases up to `limit` queued rows to `owner`, earliest deadline first; `SKIP LOCKED` splits them. */
async function claim(
  pool: PostgresQueryable,
  { chainId, owner, limit, leaseMs }: ClaimParameters,
  time: number,
): Promise<SettlementRecord[]> {
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
}
