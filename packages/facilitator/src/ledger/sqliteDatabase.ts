import type BetterSqlite3 from 'better-sqlite3'
import { LedgerDriverError, LedgerOpenError } from '../errors.js'
import { applySqliteSchema } from './sqliteSchema.js'

/**
 * Opens the ledger's SQLite file through `better-sqlite3` (an optional peer, loaded here): WAL
 * mode, the asked sync level, the lock wait, and the schema. Throws `LedgerDriverError` when the
 * driver is missing, `LedgerOpenError` when the file cannot be opened or migrated.
 */
export async function openSqliteDatabase(
  path: string,
  { synchronous, busyTimeoutMs }: { synchronous: 'full' | 'normal'; busyTimeoutMs: number },
): Promise<BetterSqlite3.Database> {
  let Database: typeof BetterSqlite3
  try {
    Database = (await import('better-sqlite3')).default
  } catch (cause) {
    throw new LedgerDriverError({ driver: 'better-sqlite3', cause })
  }
  let db: BetterSqlite3.Database | undefined
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
    return db
  } catch (cause) {
    // A file opened but not usable (locked, not a database, a newer schema) is let go.
    if (db?.open) db.close()
    throw new LedgerOpenError({ kind: 'sqlite', cause })
  }
}
