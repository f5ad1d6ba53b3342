import type BetterSqlite3 from 'better-sqlite3'
import { keyParams, Rollback } from './key.js'
import { decideReservation, isLapsed, itemCountOf, type OpenAmounts } from './reservation.js'
import { assertTransition, toSettlementRecord, transactionPatchColumns } from './rows.js'
import type { SqliteStatements } from './sqliteStatements.js'
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
} from './types.js'

/** The SQLite ledger's writes, each a better-sqlite3 transaction function (a savepoint when nested). */
export type SqliteWrites = {
  /** What the payer has open (queued, submitted, held) and confirmed after `balanceBlock`. */
  openAmounts(
    key: Pick<AuthorizationKey, 'chainId' | 'asset' | 'payer'>,
    time: number,
    balanceBlock: bigint | undefined,
  ): OpenAmounts
  reserveTransaction: BetterSqlite3.Transaction<
    (
      entry: SettlementEntry,
      parameters: ReserveParameters,
      time: number,
    ) => ReserveResult | undefined
  >
  writeTransaction: BetterSqlite3.Transaction<
    (write: LedgerWrite, time: number) => LedgerWriteResult
  >
  claimTransaction: BetterSqlite3.Transaction<
    (parameters: ClaimParameters, time: number) => SettlementRecord[]
  >
}

/** The write plans of the SQLite ledger on `db`, over its prepared `statements`. */
export function createSqliteWrites(
  db: BetterSqlite3.Database,
  statements: SqliteStatements,
): SqliteWrites {
  const {
    getStatement,
    insertStatement,
    takeOverStatement,
    openStatement,
    claimableStatement,
    leaseStatement,
    insertTransactionStatement,
    transitionStatement,
  } = statements

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
  ): OpenAmounts {
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
      const current = existing && toSettlementRecord(existing)
      if (current && !isLapsed(current, time)) return { status: 'exists', record: current }
      const amounts = openAmounts(entry, time, parameters.balanceBlock)
      const decision = decideReservation(entry, parameters, amounts, time)
      if (decision.status !== 'reserve') return decision
      const { fields } = decision
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
      const itemCount = itemCountOf(write.transitions)
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
  return { openAmounts, reserveTransaction, writeTransaction, claimTransaction }
}
