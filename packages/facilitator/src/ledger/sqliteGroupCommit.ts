import { closeSync, fdatasync, openSync } from 'node:fs'
import type BetterSqlite3 from 'better-sqlite3'

/** Writes to one SQLite connection, committed in groups. */
export type GroupCommit = {
  /**
   * Runs `run` inside the next group's transaction, in its own savepoint: a throw rolls back that
   * write alone. Settles once the group's commit is durable.
   */
  enqueue<result>(run: () => result): Promise<result>
  /** Settles once every commit made so far is durable: a read that saw them may then be answered. */
  durable(): Promise<void>
  /** Commits what is queued and waits for it to be durable. */
  close(): Promise<void>
}

type Pending = {
  run: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  result?: unknown
  error?: unknown
  failed?: boolean
}

/**
 * Group commit: writes issued in the same turn of the event loop run in one `IMMEDIATE`
 * transaction, each in its own savepoint (better-sqlite3 nests transaction functions that way),
 * so one failing write rolls back alone while all share one commit.
 *
 * With `walPath` (a file ledger at `synchronous: 'full'`), the connection runs at `NORMAL` and the
 * write-ahead log is synced here after each commit, on libuv's thread pool: the same durability
 * as `FULL` (which syncs the log inside every commit), without blocking the event loop for the
 * fsync. Checkpoints still sync the log and the database themselves at `NORMAL`. No caller hears
 * back, and no read is answered (see `durable`), before the commits it depends on are on disk.
 */
export function createGroupCommit(
  db: BetterSqlite3.Database,
  {
    walPath,
    syncFile = fdatasync,
  }: {
    walPath?: string | undefined
    /** `fs.fdatasync` (tests hold or fail it). */
    syncFile?: ((fd: number, callback: (error: Error | null) => void) => void) | undefined
  } = {},
): GroupCommit {
  let queue: Pending[] = []
  let scheduled = false
  const sync = walPath === undefined ? undefined : createWalSync(walPath, syncFile)

  const inSavepoint = db.transaction((run: () => unknown) => run())
  const flushTransaction = db.transaction((batch: Pending[]) => {
    for (const op of batch) {
      try {
        op.result = inSavepoint(op.run)
      } catch (error) {
        op.failed = true
        op.error = error
      }
    }
  })

  function settle(batch: Pending[]) {
    for (const op of batch) op.failed ? op.reject(op.error) : op.resolve(op.result)
  }

  function flush() {
    scheduled = false
    const batch = queue
    queue = []
    try {
      flushTransaction.immediate(batch)
    } catch (error) {
      for (const op of batch) {
        op.failed = true
        op.error ??= error
      }
      settle(batch)
      return
    }
    if (!sync) return settle(batch)
    sync.afterCommit().then(
      () => settle(batch),
      (error: unknown) => {
        // Committed, but not known to be on disk: nobody may rely on it.
        for (const op of batch) {
          op.failed = true
          op.error = error
        }
        settle(batch)
      },
    )
  }

  return {
    enqueue(run) {
      if (!db.open) return Promise.reject(new TypeError('The ledger is closed.'))
      return new Promise((resolve, reject) => {
        queue.push({ run, resolve: resolve as (value: unknown) => void, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    },
    durable: () => sync?.latest() ?? Promise.resolve(),
    async close() {
      if (scheduled) flush()
      await sync?.close()
    },
  }
}

type WalSync = {
  /** Starts an fdatasync of the log; it covers every commit made before this call. */
  afterCommit(): Promise<void>
  /** The last sync started (a read made now sees nothing it does not cover). */
  latest(): Promise<void>
  close(): Promise<void>
}

function createWalSync(
  walPath: string,
  syncFile: (fd: number, callback: (error: Error | null) => void) => void,
): WalSync {
  let fd: number | undefined
  let last: Promise<void> = Promise.resolve()
  let failed = false
  function start(): Promise<void> {
    failed = false
    try {
      // The log exists once a commit wrote to it, and lives as long as the connection.
      fd ??= openSync(walPath, 'r+')
    } catch (error) {
      failed = true
      last = Promise.reject(error)
      return last
    }
    const descriptor = fd
    const started = new Promise<void>((resolve, reject) =>
      syncFile(descriptor, (error) => {
        if (!error) return resolve()
        if (last === started) failed = true
        reject(error)
      }),
    )
    last = started
    return started
  }
  return {
    afterCommit: start,
    // After a failed sync, a read asks for a new one: it covers every commit before it.
    latest: () => (failed ? start() : last),
    async close() {
      await last.catch(() => {})
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}
