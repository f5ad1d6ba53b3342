// The group commit on a real SQLite file; only the log's fdatasync is handed in, so a test can
// hold it (to see who waits for it) or fail it (a disk error cannot be produced on demand).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, test } from 'vitest'
import { createGroupCommit } from './sqliteGroupCommit.js'

type HeldSync = { callback: (error: Error | null) => void }

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

function openFile() {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-group-commit-'))
  const path = join(dir, 'ledger.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  const syncs: HeldSync[] = []
  const commits = createGroupCommit(db, {
    walPath: `${path}-wal`,
    syncFile: (_fd, callback) => syncs.push({ callback }),
  })
  cleanups.push(() => {
    if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const insert = db.prepare('INSERT INTO t (k) VALUES (?)')
  const has = (k: string) => db.prepare('SELECT 1 FROM t WHERE k = ?').get(k) !== undefined
  return { db, commits, syncs, insert, has }
}

function track(promise: Promise<unknown>) {
  const state = { settled: false, error: undefined as unknown }
  promise.then(
    () => {
      state.settled = true
    },
    (error) => {
      state.settled = true
      state.error = error
    },
  )
  return state
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

test('a write is answered only once the log holding its commit is synced; a read waits too', async () => {
  const { commits, syncs, insert, has } = openFile()
  const write = track(commits.enqueue(() => insert.run('a')))
  await turn()
  await turn()
  // Committed (visible), one sync started, and nobody told yet.
  expect(has('a')).toBe(true)
  expect(syncs).toHaveLength(1)
  expect(write.settled).toBe(false)
  const read = track(commits.durable())
  await turn()
  expect(read.settled).toBe(false)

  syncs[0]!.callback(null)
  await turn()
  expect(write).toEqual({ settled: true, error: undefined })
  expect(read).toEqual({ settled: true, error: undefined })
})

test('writes of one turn share one commit and one sync; a throwing write rolls back alone', async () => {
  const { commits, syncs, insert, has } = openFile()
  const writes = ['a', 'b', 'c'].map((k) => commits.enqueue(() => insert.run(k)))
  const failing = commits.enqueue(() => {
    insert.run('d')
    throw new Error('refused')
  })
  const outcome = Promise.allSettled([...writes, failing])
  await turn()
  await turn()
  expect(syncs).toHaveLength(1)
  syncs[0]!.callback(null)
  const settled = await outcome
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected'])
  expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' })
  expect(['a', 'b', 'c', 'd'].map(has)).toEqual([true, true, true, false])
})

test('a failed sync fails the writes it covered; the next read asks for a new sync', async () => {
  const { commits, syncs, insert } = openFile()
  const write = commits.enqueue(() => insert.run('a'))
  await turn()
  await turn()
  syncs[0]!.callback(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))
  await expect(write).rejects.toMatchObject({ code: 'EIO' })

  const read = track(commits.durable())
  await turn()
  expect(syncs).toHaveLength(2)
  expect(read.settled).toBe(false)
  syncs[1]!.callback(null)
  await turn()
  expect(read).toEqual({ settled: true, error: undefined })
  // And writes go on as before.
  const next = commits.enqueue(() => insert.run('b'))
  await turn()
  await turn()
  syncs[2]!.callback(null)
  await expect(next).resolves.toMatchObject({ changes: 1 })
})

test('close commits what is queued and waits for its sync', async () => {
  const { commits, syncs, insert, has } = openFile()
  const write = track(commits.enqueue(() => insert.run('a')))
  const closing = track(commits.close())
  await turn()
  expect(has('a')).toBe(true)
  expect(closing.settled).toBe(false)
  syncs[0]!.callback(null)
  await turn()
  expect(closing.settled).toBe(true)
  expect(write).toEqual({ settled: true, error: undefined })
})

test('without a log to sync (memory, or `normal`), a write is answered after its commit', async () => {
  const db = new Database(':memory:')
  cleanups.push(() => db.close())
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  const commits = createGroupCommit(db)
  await expect(
    commits.enqueue(() => db.prepare('INSERT INTO t (k) VALUES (?)').run('a')),
  ).resolves.toMatchObject({ changes: 1 })
  await expect(commits.durable()).resolves.toBeUndefined()
})
