// Measures what durability costs on the hot path: the time of one receipt append with
// `createFileReceiptLog` (open, write, fdatasync, close) against a plain `appendFile` (what the log
// did before it synced), for a receipt of the usual size, one append at a time.
//
//   node --import tsx packages/payer/scripts/measureReceiptLog.ts [appends] [dir]
import { appendFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFileReceiptLog } from '../src/receipts/createFileReceiptLog.js'
import type { Receipt } from '../src/receipts/receipt.js'
import { serializeReceipt } from '../src/receipts/receipt.js'

const appends = Number(process.argv[2] ?? 500)
const dir = await mkdtemp(join(process.argv[3] ?? tmpdir(), 'tollgate-measure-'))

const accepted = {
  scheme: 'exact',
  network: 'eip155:8453',
  amount: '10000',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2' },
}
function receipt(id: string): Receipt {
  return {
    id,
    url: 'https://api.example.com/report?q=weather',
    method: 'GET',
    x402Version: 2,
    requested: {
      x402Version: 2,
      resource: { url: 'https://api.example.com/report' },
      accepts: [accepted],
    },
    accepted,
    signed: {
      x402Version: 2,
      accepted,
      payload: {
        signature: `0x${'ab'.repeat(65)}`,
        authorization: {
          from: '0x2222222222222222222222222222222222222222',
          to: accepted.payTo,
          value: '10000',
          validAfter: '1700000000',
          validBefore: '1700000300',
          nonce: `0x${'cd'.repeat(32)}`,
        },
      },
    },
    settlement: undefined,
    transaction: undefined,
    status: 'indeterminate',
    disputed: undefined,
    amount: 10_000n,
    asset: accepted.asset,
    network: accepted.network,
    payTo: accepted.payTo,
    payer: '0x2222222222222222222222222222222222222222',
    preemptive: false,
    responseStatus: undefined,
    at: Date.now(),
  }
}

async function measure(append: (receipt: Receipt) => Promise<void>): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < appends; i++) {
    const value = receipt(`r${i}`)
    const start = performance.now()
    await append(value)
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)
}

function summary(name: string, times: number[]): string {
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length
  return `${name.padEnd(34)} mean ${mean.toFixed(3)} ms  p50 ${at(0.5).toFixed(3)} ms  p99 ${at(0.99).toFixed(3)} ms`
}

try {
  const plainPath = join(dir, 'plain.jsonl')
  const plain = await measure((value) =>
    appendFile(plainPath, `${serializeReceipt(value)}\n`, 'utf8'),
  )
  const log = createFileReceiptLog(join(dir, 'durable.jsonl'))
  const durable = await measure((value) => log.append(value))
  console.log(
    `${appends} appends of a ${serializeReceipt(receipt('r0')).length}-byte receipt in ${dir}`,
  )
  console.log(summary('appendFile (no sync, before)', plain))
  console.log(summary('createFileReceiptLog (fdatasync)', durable))
} finally {
  await rm(dir, { recursive: true, force: true })
}
