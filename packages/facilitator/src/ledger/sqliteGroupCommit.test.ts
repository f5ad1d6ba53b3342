// The group commit on a real SQLite file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, test } from 'vitest'
import { createGroupCommit } from './sqliteGroupCommit.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

function openFile() {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-group-commit-'))
  const db = new Database(join(dir, 'ledger.db'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  cleanups.push(() => {
    if (db.open) db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const insert = db.prepare('INSERT INTO t (k) VALUES (?)')
  const has = (k: string) => db.prepare('SELECT 1 FROM t WHERE k = ?').get(k) !== undefined
  return { db, commits: createGroupCommit(db), insert, has }
}

test('writes of one turn share one transaction; a throwing write rolls back alone', async () => {
  const { db, commits, insert, has } = openFile()
  const inTransaction: boolean[] = []
  const writes = ['a', 'b', 'c'].map((k) =>
    commits.enqueue(() => {
      inTransaction.push(db.inTransaction)
      return insert.run(k)
    }),
  )
  const failing = commits.enqueue(() => {
    insert.run('d')
    throw new Error('refused')
  })
  // Nothing runs before the turn ends.
  expect(has('a')).toBe(false)
  const settled = await Promise.allSettled([...writes, failing])
  expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected'])
  expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' })
  expect(inTransaction).toEqual([true, true, true])
  expect(['a', 'b', 'c', 'd'].map(has)).toEqual([true, true, true, false])
})

test('a write of the next turn commits on its own; a closed ledger refuses writes', async () => {
  const { db, commits, insert, has } = openFile()
  await commits.enqueue(() => insert.run('a'))
  const second = commits.enqueue(() => insert.run('b'))
  commits.close()
  // close() committed what was queued, at once.
  expect(has('b')).toBe(true)
  await expect(second).resolves.toMatchObject({ changes: 1 })
  db.close()
  await expect(commits.enqueue(() => insert.run('c'))).rejects.toThrow('The ledger is closed.')
})

test('a group of writes nothing was promised on commits without syncing; any durable write syncs it', async () => {
  const { db, insert } = openFile()
  db.pragma('synchronous = FULL')
  const commits = createGroupCommit(db, { synchronous: 'full' })
  // 1 is NORMAL (no fsync at commit), 2 is FULL.
  const level = () => db.pragma('synchronous', { simple: true })
  const seen: unknown[] = []
  const write = (k: string, durable?: boolean) =>
    commits.enqueue(
      () => {
        seen.push(level())
        return insert.run(k)
      },
      { durable },
    )
  await Promise.all([write('a', false), write('b', false)])
  expect(seen).toEqual([1, 1])
  expect(level()).toBe(2)
  await Promise.all([write('c', false), write('d')])
  expect(seen.slice(2)).toEqual([2, 2])
  // A ledger opened at `normal` never syncs at commit, whatever the writes say.
  db.pragma('synchronous = NORMAL')
  const relaxed = createGroupCommit(db, { synchronous: 'normal' })
  await relaxed.enqueue(() => seen.push(level()), { durable: false })
  await relaxed.enqueue(() => seen.push(level()))
  expect(seen.slice(4)).toEqual([1, 1])
  expect(level()).toBe(1)
})
