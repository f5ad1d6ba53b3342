import type { PostgresPool, PostgresQueryable } from './createPostgresLedger.js'
import type { WriteDurability } from './types.js'

/**
 * Runs `fn` in a transaction on one of the pool's connections: committed when it resolves, rolled
 * back when it throws (a connection that cannot roll back is destroyed, not reused).
 */
export async function postgresTransaction<result>(
  pool: PostgresPool,
  fn: (client: PostgresQueryable) => Promise<result>,
  { durable = true }: WriteDurability = {},
): Promise<result> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // Not durable: the commit does not wait for the server's WAL flush (a later durable commit
    // flushes past it). Its own statement: a pool that speaks only the extended protocol (one
    // statement a query) takes it too.
    if (!durable) await client.query('SET LOCAL synchronous_commit = off')
    const result = await fn(client)
    await client.query('COMMIT')
    client.release()
    return result
  } catch (error) {
    try {
      await client.query('ROLLBACK')
      client.release()
    } catch (rollbackError) {
      client.release(rollbackError instanceof Error ? rollbackError : true)
    }
    throw error
  }
}
