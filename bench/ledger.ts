// CPU and wall time per payment of the SQLite ledger alone, the way the facilitator drives it: 16
// payers at once, each payment reserved (`/verify`), queued (`/settle`), then submitted and
// confirmed in batches of 8 (the settler). A fresh file per round, random nonces as on the wire.
// No chain, no HTTP: what the ledger costs the event loop, and nothing else.
//
//   TSX_TSCONFIG_PATH=tsconfig.json node --import tsx bench/ledger.ts [payments] [rounds]
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteLedger, type Ledger } from '@tollgate/facilitator'
import type { Address, Hex } from 'viem'

const payments = Number(process.argv[2] ?? 3_000)
const rounds = Number(process.argv[3] ?? 3)
const payers = 16
const batchSize = 8

const asset: Address = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const payee: Address = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'
const signature = `0x${'ab'.repeat(65)}` as Hex
const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as const

/** Drives `payments` payments through `ledger` from `payers` concurrent loops. */
async function drive(ledger: Ledger, hints: boolean): Promise<void> {
  // The facilitator's hints (`submitted` mode): neither the hold nor the queued row waits for the
  // disk; the `submitted` write that follows does, and makes them durable with it.
  const durable = hints ? false : undefined
  let pending: { chainId: number; asset: Address; payer: Address; nonce: Hex }[] = []
  let txNonce = 0
  const payerLoop = async (payer: Address, count: number) => {
    for (let i = 0; i < count; i++) {
      const key = { chainId: 31337, asset, payer, nonce: hex(32) }
      const entry = {
        ...key,
        payee,
        value: 1_000n,
        validAfter: 0n,
        validBefore: 9_999_999_999n,
        signature,
      }
      const reserved = await ledger.reserve(entry, {
        state: 'verified',
        balance: 10n ** 12n,
        durable,
      })
      if (reserved.status !== 'reserved') throw new Error(`reserve: ${reserved.status}`)
      await ledger.transition(
        { keys: [key], from: ['verified'], to: 'queued', set: { holdUntil: null } },
        { durable },
      )
      pending.push(key)
      if (pending.length < batchSize) continue
      const keys = pending
      pending = []
      const hash = hex(32)
      const nonce = txNonce++
      await ledger.write({
        atomic: true,
        transitions: [
          {
            keys,
            from: ['queued'],
            to: 'submitted',
            set: { txHash: hash, sender: payee, txNonce: nonce },
          },
        ],
        insertTransaction: { hash, chainId: 31337, sender: payee, nonce, raw: '0x02' },
      })
      await ledger.write({
        transitions: [
          {
            keys,
            from: ['submitted'],
            to: 'confirmed',
            txHash: hash,
            set: { blockNumber: BigInt(nonce + 1), blockHash: hash },
          },
        ],
        updateTransaction: {
          hash,
          set: { state: 'mined', blockNumber: BigInt(nonce + 1), blockHash: hash },
        },
      })
    }
  }
  const each = Math.floor(payments / payers)
  await Promise.all(Array.from({ length: payers }, () => payerLoop(hex(20), each)))
}

console.log(`SQLite ledger: ${payments} payments from ${payers} payers, batches of ${batchSize}`)
const variants = [
  { name: 'full, every write durable', synchronous: 'full', hints: false },
  { name: 'full, as the facilitator', synchronous: 'full', hints: true },
  { name: 'normal', synchronous: 'normal', hints: false },
] as const
for (const { name, synchronous, hints } of variants) {
  for (let round = 0; round < rounds; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-ledger-bench-'))
    const ledger = await createSqliteLedger(join(dir, 'ledger.db'), { synchronous })
    const cpu = process.cpuUsage()
    const start = performance.now()
    await drive(ledger, hints)
    const wall = performance.now() - start
    const used = process.cpuUsage(cpu)
    const counts = await ledger.counts()
    await ledger.close()
    rmSync(dir, { recursive: true, force: true })
    if (counts.confirmed + counts.queued !== payments - (payments % payers))
      throw new Error(`rows lost: ${JSON.stringify(counts)}`)
    const per = (value: number) => (value / payments).toFixed(0).padStart(5)
    console.log(
      `${name.padEnd(26)} round ${round + 1}: CPU ${per(used.user + used.system)} us/payment, wall ${per(wall * 1000)} us/payment`,
    )
  }
}
