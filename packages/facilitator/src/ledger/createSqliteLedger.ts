import { settlementStates } from '@tollgate/core'
import type BetterSqlite3 from 'better-sqlite3'
import type { Address } from 'viem'
import { LedgerConflictError, LedgerDriverError, LedgerOpenError } from '../errors.js'
import { keyParams, Rollback } from './key.js'
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
import { createGroupCommit } from './sqliteGroupCommit.js'
import { applySqliteSchema } from './sqliteSchema.js'
import type {
  AuthorizationKey,
  ClaimParameters,
  Ledger,
  LedgerWrite,
  LedgerWriteResult,
  ListParameters,
  ReserveParameters,
  ReserveResult,
  SettlementEntry,
  SettlementRecord,
  SettlementState,
  TransactionState,
  TransitionRequest,
} from './types.js'

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

const keyWhere = 'chain_id = ? AND asset = ? AND payer = ? AND nonce = ?'

function statesSql(states: readonly SettlementState[]): string {
  // The names are checked against the enum before they reach SQL.
  return states.map((state) => `'${state}'`).join(', ')
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
    applySqliteSchema(db)
  } catch (cause) {
    throw new LedgerOpenError({ kind: 'sqlite', cause })
  }

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

  const statements = new Map<string, BetterSqlite3.Statement<unknown[], SettlementRow>>()
  function transitionStatement(request: TransitionRequest) {
    const columns = patchColumns(request.set)
    const id = [
      request.to,
      request.from.join(','),
      request.owner === undefined ? '' : 'owner',
      request.txHash === undefined ? '' : 'tx',
      request.set?.incrementAttempts ? 'attempts' : '',
      ...columns.map((c) => c.column),
    ].join('|')
    let statement = statements.get(id)
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
      statements.set(id, statement)
    }
    return { statement, values: columns.map((c) => c.value) }
  }

  function runTransition(request: TransitionRequest, time: number): SettlementRecord[] {
    assertTransition(request)
    const { statement, values } = transitionStatement(request)
    const records: SettlementRecord[] = []
    for (const key of request.keys) {
      const row = statement.get(
        request.to,
        time,
        ...values,
        ...keyParams(key),
        ...(request.owner === undefined ? [] : [request.owner]),
        ...(request.txHash === undefined ? [] : [request.txHash.toLowerCase()]),
      )
      if (row) records.push(toSettlementRecord(row))
    }
    return records
  }

  function openAmounts(
    key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
    time: number,
    balanceBlock: bigint | undefined,
  ): { open: bigint; unreflected: bigint } {
    let open = 0n
    let unreflected = 0n
    const rows = openStatement.all({
      chainId: key.chainId,
      asset: key.asset.toLowerCase(),
      payer: key.payer.toLowerCase(),
      time,
      block: balanceBlock === undefined ? Number.MAX_SAFE_INTEGER : balanceBlock.toString(),
    })
    for (const row of rows) {
      const value = BigInt(row.value ?? 0)
      if (row.state === 'confirmed') unreflected += value
      else open += value
    }
    return { open, unreflected }
  }

  const reserveTransaction = db.transaction(
    (
      entry: SettlementEntry,
      parameters: ReserveParameters,
      time: number,
    ): ReserveResult | undefined => {
      const key = keyParams(entry)
      const existing = getStatement.get(...key)
      if (existing) {
        const record = toSettlementRecord(existing)
        const lapsed =
          record.state === 'released' ||
          (record.state === 'verified' && (record.holdUntil ?? 0) <= time)
        if (!lapsed) return { status: 'exists', record }
      }
      const { open, unreflected } = openAmounts(entry, time, parameters.balanceBlock)
      if (parameters.exposureCap !== undefined && open + entry.value > parameters.exposureCap)
        return { status: 'exposure_cap', exposure: open }
      if (parameters.balance !== undefined && open + unreflected + entry.value > parameters.balance)
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
      const row = existing
        ? takeOverStatement.get(...fields, time, ...key, existing.version)
        : insertStatement.get(...key, ...fields, time, time)
      // The row changed since it was read (another process on the file): read it again.
      if (!row) return undefined
      return { status: 'reserved', record: toSettlementRecord(row) }
    },
  )

  const writeTransaction = db.transaction((write: LedgerWrite, time: number): LedgerWriteResult => {
    const records: SettlementRecord[] = []
    for (const request of write.transitions ?? []) {
      const changed = runTransition(request, time)
      if (write.atomic && changed.length !== request.keys.length) throw new Rollback()
      records.push(...changed)
    }
    const tx = write.insertTransaction
    if (tx) {
      const itemCount = write.transitions?.reduce((n, r) => n + r.keys.length, 0) ?? 0
      insertTransactionStatement.run(
        tx.hash.toLowerCase(),
        tx.chainId,
        tx.sender.toLowerCase(),
        tx.nonce,
        tx.raw,
        itemCount,
        time,
        time,
      )
    }
    const update = write.updateTransaction
    if (update) {
      const columns = transactionPatchColumns(update.set)
      if (columns.length > 0) {
        db.prepare(
          `UPDATE tollgate_transactions SET ${columns.map((c) => `${c.column} = ?`).join(', ')},
             updated_at = ? WHERE hash = ?`,
        ).run(...columns.map((c) => c.value), time, update.hash.toLowerCase())
      }
    }
    return { ok: true, records }
  })

  const claimTransaction = db.transaction((parameters: ClaimParameters, time: number) => {
    const rows = claimableStatement.all(
      parameters.chainId,
      parameters.owner,
      time,
      parameters.limit,
    )
    const claimed: SettlementRecord[] = []
    for (const row of rows) {
      const leased = leaseStatement.get(
        parameters.owner,
        time + parameters.leaseMs,
        time,
        row.chain_id,
        row.asset,
        row.payer,
        row.nonce,
        row.version,
      )
      if (leased) claimed.push(toSettlementRecord(leased))
    }
    return claimed
  })

  const commits = createGroupCommit(db)
  const enqueue = commits.enqueue

  const ledger: Ledger = {
    kind: 'sqlite',
    // `':memory:'` and `''` (a temporary file deleted on close) forget everything with the process.
    durable: !db.memory && path !== '',
    async reserve(entry, parameters) {
      return enqueue(() => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const result = reserveTransaction(entry, parameters, now())
          if (result) return result
        }
        throw new LedgerConflictError({ operation: 'reserve', attempts: 3 })
      })
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
    async transition(request) {
      return (await enqueue(() => writeTransaction({ transitions: [request] }, now()))).records
    },
    async write(write) {
      try {
        return await enqueue(() => writeTransaction(write, now()))
      } catch (error) {
        if (error instanceof Rollback) return { ok: false, records: [] }
        throw error
      }
    },
    async claim(parameters) {
      return enqueue(() => claimTransaction(parameters, now()))
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
