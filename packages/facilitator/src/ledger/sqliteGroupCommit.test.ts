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
