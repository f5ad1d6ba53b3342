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

/** The write plans of the SQLite ledger on `db`, each in a transaction over its `statements`. */
export function createSqliteWrites(
  db: BetterSqlite3.Database,
  statements: SqliteStatements,
): SqliteWrites {
  return {
    openAmounts: (key, time, balanceBlock) => openAmounts(statements, key, time, balanceBlock),
    reserveTransaction: db.transaction(
      (entry: SettlementEntry, parameters: ReserveParameters, time: number) =>
        reserveIn(statements, entry, parameters, time),
    ),
    writeTransaction: db.transaction((write: LedgerWrite, time: number) =>
      writeIn(statements, write, time),
    ),
    claimTransaction: db.transaction((parameters: ClaimParameters, time: number) =>
      claimIn(statements, parameters, time),
    ),
  }
}

function openAmounts(
  { openStatement }: SqliteStatements,
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

/**
 * A reservation inside its transaction: `undefined` when the row changed since it was read
 * (another process on the file), for the caller to try again.
 */
function reserveIn(
  statements: SqliteStatements,
  entry: SettlementEntry,
  parameters: ReserveParameters,
  time: number,
): ReserveResult | undefined {
  const { getStatement, insertStatement, takeOverStatement } = statements
  const key = keyParams(entry)
  const existing = getStatement.get(...key)
  const current = existing && toSettlementRecord(existing)
  if (current && !isLapsed(current, time)) return { status: 'exists', record: current }
  const amounts = openAmounts(statements, entry, time, parameters.balanceBlock)
  const decision = decideReservation(entry, parameters, amounts, time)
  if (decision.status !== 'reserve') return decision
  const { fields } = decision
  const row = existing
    ? takeOverStatement.get(...fields, time, ...key, existing.version)
    : insertStatement.get(...key, ...fields, time, time)
  if (!row) return undefined
  return { status: 'reserved', record: toSettlementRecord(row) }
}

/** Several transitions and a transaction change, inside one transaction; `Rollback` undoes it. */
function writeIn(
  statements: SqliteStatements,
  write: LedgerWrite,
  time: number,
): LedgerWriteResult {
  const records: SettlementRecord[] = []
  for (const request of write.transitions ?? []) {
    const changed = runTransition(statements, request, time)
    if (write.atomic && changed.length !== request.keys.length) throw new Rollback()
    records.push(...changed)
  }
  const tx = write.insertTransaction
  if (tx) {
    statements.insertTransactionStatement.run(
      tx.hash.toLowerCase(),
      tx.chainId,
      tx.sender.toLowerCase(),
      tx.nonce,
      tx.raw,
      itemCountOf(write.transitions),
      time,
      time,
    )
  }
  const update = write.updateTransaction
  if (update) {
    const columns = transactionPatchColumns(update.set)
    if (columns.length > 0)
      statements
        .transactionUpdateStatement(columns)
        .run(...columns.map((c) => c.value), time, update.hash.toLowerCase())
  }
  return { ok: true, records }
}

/** One transition request: the rows that were in a `from` state (and match its guards) move. */
function runTransition(
  { transitionStatement }: SqliteStatements,
  request: TransitionRequest,
  time: number,
): SettlementRecord[] {
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

/** Leases up to `limit` claimable `queued` rows to `owner` (each under its version). */
function claimIn(
  { claimableStatement, leaseStatement }: SqliteStatements,
  parameters: ClaimParameters,
  time: number,
): SettlementRecord[] {
  const rows = claimableStatement.all(parameters.chainId, parameters.owner, time, parameters.limit)
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
}
