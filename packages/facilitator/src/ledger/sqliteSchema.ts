import type BetterSqlite3 from 'better-sqlite3'

// The settlements table is an ordinary rowid table: rows are appended in rowid order and only the
// key index takes the random nonces. (Ledgers made before issue #17 kept the rows themselves in key
// order, `WITHOUT ROWID`: every insert of a random nonce split pages of wide rows, and a commit of
// 16 inserts took 2.5 to 3 times as long.) The transaction and payment-id indexes skip the NULLs
// most rows hold until a transaction carries them; `tx_hash = ?` and `payment_id = ?` still use them.
const settlementsTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  chain_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  payer TEXT NOT NULL,
  nonce TEXT NOT NULL,
  state TEXT NOT NULL,
  payee TEXT NOT NULL,
  value TEXT NOT NULL,
  valid_after TEXT NOT NULL,
  valid_before TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  signature TEXT NOT NULL,
  payment_id TEXT,
  permit2 TEXT,
  hold_until INTEGER,
  tx_hash TEXT,
  sender TEXT,
  tx_nonce INTEGER,
  block_number INTEGER,
  block_hash TEXT,
  reason TEXT,
  owner TEXT,
  lease_until INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (chain_id, asset, payer, nonce)
);`

const settlementsIndexes = `
CREATE INDEX IF NOT EXISTS tollgate_settlements_payer ON tollgate_settlements (chain_id, asset, payer, state, block_number);
CREATE INDEX IF NOT EXISTS tollgate_settlements_queue ON tollgate_settlements (chain_id, state, expires_at);
CREATE INDEX IF NOT EXISTS tollgate_settlements_tx ON tollgate_settlements (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS tollgate_settlements_payment_id ON tollgate_settlements (payment_id) WHERE payment_id IS NOT NULL;`

const transactions = `
CREATE TABLE IF NOT EXISTS tollgate_transactions (
  hash TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  sender TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  raw TEXT NOT NULL,
  state TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  block_number INTEGER,
  block_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tollgate_transactions_sender ON tollgate_transactions (chain_id, sender, nonce);
CREATE INDEX IF NOT EXISTS tollgate_transactions_state ON tollgate_transactions (chain_id, state);`

/**
 * Creates the ledger's tables, or brings an older ledger file up to date: the Permit2 column, and
 * the settlements table rebuilt as a rowid table (rows copied in one `IMMEDIATE` transaction, so
 * another process on the file sees either table, never half of one).
 */
export function applySqliteSchema(db: BetterSqlite3.Database): void {
  db.exec(settlementsTable('tollgate_settlements') + transactions)
  db.transaction(() => {
    // Ledgers made before Permit2 lack its column.
    const columns = db.prepare('PRAGMA table_info(tollgate_settlements)').all() as {
      name: string
    }[]
    if (!columns.some((column) => column.name === 'permit2'))
      db.exec('ALTER TABLE tollgate_settlements ADD COLUMN permit2 TEXT')
    if (keptInKeyOrder(db)) rebuildAsRowidTable(db)
  }).immediate()
  db.exec(settlementsIndexes)
}

function keptInKeyOrder(db: BetterSqlite3.Database): boolean {
  const row = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tollgate_settlements'")
    .get() as { sql: string } | undefined
  return row !== undefined && /WITHOUT\s+ROWID/i.test(row.sql)
}

function rebuildAsRowidTable(db: BetterSqlite3.Database): void {
  const columns = (
    db.prepare('PRAGMA table_info(tollgate_settlements)').all() as { name: string }[]
  ).map((column) => column.name)
  const list = columns.join(', ')
  db.exec(`DROP TABLE IF EXISTS tollgate_settlements_rowid;
${settlementsTable('tollgate_settlements_rowid')}
INSERT INTO tollgate_settlements_rowid (${list}) SELECT ${list} FROM tollgate_settlements ORDER BY created_at;
DROP TABLE tollgate_settlements;
ALTER TABLE tollgate_settlements_rowid RENAME TO tollgate_settlements;`)
}
