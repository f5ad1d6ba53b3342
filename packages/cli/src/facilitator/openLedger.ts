import {
  createPostgresLedger,
  createSqliteLedger,
  type Ledger,
  type PostgresPool,
} from '@tollgate/facilitator'
import { ConfigError } from '../errors.js'

export type OpenLedgerReturnType = {
  ledger: Ledger
  /** Closes the ledger and, for PostgreSQL, ends the pool. */
  close(): Promise<void>
}

/** Opens the ledger a database URL names: `sqlite:<path>` or `postgres://...` (through `pg`). */
export async function openLedger(database: string): Promise<OpenLedgerReturnType> {
  if (database.startsWith('sqlite:')) {
    const ledger = await createSqliteLedger(database.slice('sqlite:'.length))
    return { ledger, close: () => ledger.close() }
  }
  let pg: {
    Pool: new (options: { connectionString: string }) => PostgresPool & { end(): Promise<void> }
  }
  try {
    // A variable specifier: `pg` is an optional peer, loaded only for a postgres:// database.
    const specifier = 'pg'
    const module = (await import(specifier)) as { default?: typeof pg } & typeof pg
    pg = module.default ?? module
  } catch {
    throw new ConfigError({
      issues: [
        {
          path: 'database',
          message: 'a postgres:// database needs the `pg` package: npm install pg',
        },
      ],
    })
  }
  const pool = new pg.Pool({ connectionString: database })
  try {
    const ledger = await createPostgresLedger(pool)
    return {
      ledger,
      async close() {
        await ledger.close()
        await pool.end()
      },
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
}
