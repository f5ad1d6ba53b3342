// A ledger file written by an earlier version (rows kept `WITHOUT ROWID`, before Permit2) opens,
// keeps every row, and is rebuilt as a rowid table once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, expect, test } from 'vitest'
import { createSqliteLedger } from './createSqliteLedger.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

// The settlements table as ledgers before Permit2 created it.
const earlierSchema = `
CREATE TABLE tollgate_settlements (
  chain_id INTEGER NOT NULL, asset TEXT NOT NULL, payer TEXT NOT NULL, nonce TEXT NOT NULL,
  state TEXT NOT NULL, payee TEXT NOT NULL, value TEXT NOT NULL, valid_after TEXT NOT NULL,
  valid_before TEXT NOT NULL, expires_at INTEGER NOT NULL, signature TEXT NOT NULL, payment_id TEXT,
  hold_until INTEGER, tx_hash TEXT, sender TEXT, tx_nonce INTEGER, block_number INTEGER,
  block_hash TEXT, reason TEXT, owner TEXT, lease_until INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (chain_id, asset, payer, nonce)
) WITHOUT ROWID;
CREATE INDEX tollgate_settlements_payer ON tollgate_settlements (chain_id, asset, payer, state);
CREATE INDEX tollgate_settlements_tx ON tollgate_settlements (tx_hash);
CREATE INDEX tollgate_settlements_payment_id ON tollgate_settlements (payment_id);`

const asset = '0x5fbdb2315678afecb367f032d93f642f64180aa3' as const
const payer = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as const
const payee = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as const
const nonce = `0x${'11'.repeat(32)}` as const
const signature = `0x${'ab'.repeat(65)}` as const

function earlierLedgerFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-schema-'))
  dirs.push(dir)
  const path = join(dir, 'ledger.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec(earlierSchema)
  db.prepare(
    `INSERT INTO tollgate_settlements (chain_id, asset, payer, nonce, state, payee, value, valid_after,
       valid_before, expires_at, signature, payment_id, tx_hash, sender, tx_nonce, attempts, version,
       created_at, updated_at)
     VALUES (31337, ?, ?, ?, 'submitted', ?, '700', '0', '99999999999', 99999999999000, ?, 'pay-1',
       ?, ?, 4, 1, 3, 1000, 2000)`,
  ).run(asset, payer, nonce, payee, signature, `0x${'cd'.repeat(32)}`, payee)
  db.close()
  return path
}

function tableShape(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    const table = db
      .prepare(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tollgate_settlements'",
      )
      .get() as { sql: string }
    const indexes = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tollgate_settlements' AND sql IS NOT NULL ORDER BY name",
      )
      .all() as { name: string; sql: string }[]
    return { table: table.sql, indexes }
  } finally {
    db.close()
  }
}

test('an earlier ledger file keeps its rows and becomes a rowid table with the current indexes', async () => {
  const path = earlierLedgerFile()
  const ledger = await createSqliteLedger(path)
  const key = { chainId: 31337, asset, payer, nonce } as const
  expect(await ledger.get(key)).toMatchObject({
    state: 'submitted',
    value: 700n,
    payee,
    paymentId: 'pay-1',
    txHash: `0x${'cd'.repeat(32)}`,
    txNonce: 4,
    attempts: 1,
    version: 3,
    createdAt: 1000,
    permit2: undefined,
  })
  // The carried row still counts against the payer's balance: 700 held, 300 left of 1000.
  const entry = {
    ...key,
    nonce: `0x${'22'.repeat(32)}` as const,
    payee,
    value: 400n,
    validAfter: 0n,
    validBefore: 99_999_999_999n,
    signature,
  }
  expect(await ledger.reserve(entry, { state: 'verified', balance: 1_000n })).toMatchObject({
    status: 'insufficient_balance',
    reserved: 700n,
  })
  expect(
    await ledger.reserve({ ...entry, value: 300n }, { state: 'verified', balance: 1_000n }),
  ).toMatchObject({ status: 'reserved' })
  await ledger.close()

  const shape = tableShape(path)
  expect(shape.table).not.toMatch(/WITHOUT\s+ROWID/i)
  expect(shape.table).toMatch(/permit2 TEXT/)
  expect(shape.indexes.map((index) => index.name)).toEqual([
    'tollgate_settlements_payer',
    'tollgate_settlements_payment_id',
    'tollgate_settlements_queue',
    'tollgate_settlements_tx',
  ])
  expect(shape.indexes.find((i) => i.name === 'tollgate_settlements_tx')!.sql).toMatch(
    /WHERE tx_hash IS NOT NULL/,
  )

  // Opening it again changes nothing.
  const again = await createSqliteLedger(path)
  expect(await again.counts()).toMatchObject({ submitted: 1, verified: 1 })
  await again.close()
  expect(tableShape(path)).toEqual(shape)
})
