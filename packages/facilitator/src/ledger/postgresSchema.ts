import { LedgerOpenError } from '../errors.js'
import type { PostgresQueryable } from './createPostgresLedger.js'

const schema = `
CREATE TABLE IF NOT EXISTS tollgate_settlements (
  chain_id INTEGER NOT NULL,
  asset TEXT NOT NULL,
  payer TEXT NOT NULL,
  nonce TEXT NOT NULL,
  state TEXT NOT NULL,
  payee TEXT NOT NULL,
  value NUMERIC(78, 0) NOT NULL,
  valid_after NUMERIC(78, 0) NOT NULL,
  valid_before NUMERIC(78, 0) NOT NULL,
  expires_at BIGINT NOT NULL,
  signature TEXT NOT NULL,
  payment_id TEXT,
  permit2 TEXT,
  hold_until BIGINT,
  tx_hash TEXT,
  sender TEXT,
  tx_nonce BIGINT,
  block_number BIGINT,
  block_hash TEXT,
  reason TEXT,
  owner TEXT,
  lease_until BIGINT,
  attempts INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (chain_id, asset, payer, nonce)
);
CREATE INDEX IF NOT EXISTS tollgate_settlements_payer ON tollgate_settlements (chain_id, asset, payer, state);
CREATE INDEX IF NOT EXISTS tollgate_settlements_queue ON tollgate_settlements (chain_id, state, expires_at);
CREATE INDEX IF NOT EXISTS tollgate_settlements_tx ON tollgate_settlements (tx_hash);
CREATE INDEX IF NOT EXISTS tollgate_settlements_payment_id ON tollgate_settlements (payment_id);
CREATE TABLE IF NOT EXISTS tollgate_transactions (
  hash TEXT PRIMARY KEY,
  chain_id INTEGER NOT NULL,
  sender TEXT NOT NULL,
  nonce BIGINT NOT NULL,
  raw TEXT NOT NULL,
  state TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  block_number BIGINT,
  block_hash TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS tollgate_transactions_sender ON tollgate_transactions (chain_id, sender, nonce);
CREATE INDEX IF NOT EXISTS tollgate_transactions_state ON tollgate_transactions (chain_id, state);
ALTER TABLE tollgate_settlements ADD COLUMN IF NOT EXISTS permit2 TEXT;
`

// Arbitrary constant naming the migration lock, so instances starting together do not race on
// CREATE TABLE IF NOT EXISTS (which is not safe under concurrency in PostgreSQL).
const migrationLock = 7_402_402_402

/**
 * Creates the ledger's tables and indexes when missing (and adds later columns), under an advisory
 * lock so that instances starting together take turns; fails with `LedgerOpenError`.
 */
export async function migratePostgres(
  inTransaction: (fn: (client: PostgresQueryable) => Promise<void>) => Promise<void>,
): Promise<void> {
  await inTransaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock])
    await client.query(schema)
  }).catch((cause: unknown) => {
    throw new LedgerOpenError({ kind: 'postgres', cause })
  })
}
