import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PaymentRequirements } from '@tollgate/core'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { InvalidReceiptLogError } from '../errors/receiptLog.js'
import { createFileReceiptLog } from './createFileReceiptLog.js'
import { listPurchases } from './listPurchases.js'
import type { Receipt } from './receipt.js'
import { parseReceipt, purchaseOf, serializeReceipt } from './receipt.js'
import { createMemoryReceiptLog } from './receiptLog.js'

const accepted: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2', vendorField: [1, 2] },
}

function receipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    id: crypto.randomUUID(),
    url: 'https://api.example.com/report?q=1',
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
          validBefore: '1700000060',
          nonce: `0x${'cd'.repeat(32)}`,
        },
      },
    },
    settlement: {
      success: true,
      transaction: `0x${'ef'.repeat(32)}`,
      network: 'eip155:84532',
      payer: '0x2222222222222222222222222222222222222222',
    },
    transaction: `0x${'ef'.repeat(32)}`,
    status: 'settled',
    disputed: undefined,
    // Beyond 2^53: must survive as a string, not a float.
    amount: 123456789012345678901234567890n,
    asset: accepted.asset,
    network: 'eip155:84532',
    payTo: accepted.payTo,
    payer: '0x2222222222222222222222222222222222222222',
    preemptive: false,
    responseStatus: 200,
    at: 1_700_000_000_123,
    ...overrides,
  }
}

test('a receipt serializes to one JSON line with bigints as strings and reads back equal', () => {
  const value = receipt()
  const line = serializeReceipt(value)
  expect(line).not.toContain('\n')
  expect(JSON.parse(line).amount).toBe('123456789012345678901234567890')
  expect(parseReceipt(line)).toEqual(value)
  const failed = receipt({
    status: 'refused',
    settlement: undefined,
    transaction: undefined,
    responseStatus: undefined,
  })
  expect(parseReceipt(serializeReceipt(failed))).toEqual(failed)
  const disputed = receipt({ status: 'indeterminate', disputed: 'settlement-missing' })
  expect(parseReceipt(serializeReceipt(disputed)).disputed).toBe('settlement-missing')
  // A line written before receipts had `disputed` still reads.
  const { disputed: _, ...older } = value
  expect(
    parseReceipt(JSON.stringify(older, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))),
  ).toEqual(value)
})

test('the memory log keeps receipts in order and hands out copies', async () => {
  const log = createMemoryReceiptLog()
  const a = receipt()
  const b = receipt({ status: 'indeterminate' })
  await log.append(a)
  await log.append(b)
  const listed = await log.list()
  expect(listed).toEqual([a, b])
  listed.pop()
  expect(await log.list()).toHaveLength(2)
})

describe('file log', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-receipts-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('round trip, and a new log on the same file (a restart) reads what the old one wrote', async () => {
    const path = join(dir, 'nested', 'receipts.jsonl')
    const before = createFileReceiptLog(path)
    expect(await before.list()).toEqual([])
    const written = [receipt(), receipt({ x402Version: 1, status: 'refused' }), receipt()]
    for (const r of written) await before.append(r)
    const text = await readFile(path, 'utf8')
    expect(text.split('\n')).toHaveLength(4) // three lines and the final newline
    const after = createFileReceiptLog(path)
    expect(await after.list()).toEqual(written)
    await after.append(receipt({ id: 'later' }))
    expect((await before.list()).map((r) => r.id).at(-1)).toBe('later')
  })

  test('concurrent appends all land, one per line', async () => {
    const path = join(dir, 'receipts.jsonl')
    const log = createFileReceiptLog(path)
    const many = Array.from({ length: 50 }, (_, i) => receipt({ id: `r${i}` }))
    await Promise.all(many.map((r) => log.append(r)))
    const ids = (await createFileReceiptLog(path).list()).map((r) => r.id)
    expect(ids).toEqual(many.map((r) => r.id))
  })

  test('a last line cut short by a crash is cut off on open; a bad line in the middle is an error', async () => {
    const path = join(dir, 'receipts.jsonl')
    const whole = receipt()
    await writeFile(path, `${serializeReceipt(whole)}\n${serializeReceipt(receipt()).slice(0, 40)}`)
    expect(await createFileReceiptLog(path).list()).toEqual([whole])
    expect(await readFile(path, 'utf8')).toBe(`${serializeReceipt(whole)}\n`)
    // A line damaged in the middle is not something a crash leaves: it is reported, not skipped.
    await appendFile(path, `{"id":"damaged"\n${serializeReceipt(receipt())}\n`)
    const error = await createFileReceiptLog(path)
      .list()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidReceiptLogError)
    expect(error).toMatchObject({ line: 2, code: 'TOLLGATE_FETCH_INVALID_RECEIPT_LOG' })
  })

  test('an append after a crash that cut the last line short keeps the log readable', async () => {
    // What a process killed mid-append leaves: whole lines, then the start of one.
    const path = join(dir, 'receipts.jsonl')
    const whole = receipt({ id: 'before-the-crash' })
    const torn = serializeReceipt(receipt({ id: 'torn' })).slice(0, 200)
    await writeFile(path, `${serializeReceipt(whole)}\n${torn}`)
    // The restarted agent appends first (a purchase's record written ahead), then reads.
    const log = createFileReceiptLog(path)
    const after = receipt({ id: 'after-the-restart', purchase: 'p-1', status: 'indeterminate' })
    await log.append(after)
    expect((await log.list()).map((r) => r.id)).toEqual(['before-the-crash', 'after-the-restart'])
    expect(await listPurchases(createFileReceiptLog(path))).toHaveLength(2)
  })

  test('a whole receipt cut before its newline is kept, and ended', async () => {
    const path = join(dir, 'receipts.jsonl')
    const [a, b, c] = [receipt({ id: 'a' }), receipt({ id: 'b' }), receipt({ id: 'c' })]
    await writeFile(path, `${serializeReceipt(a)}\n${serializeReceipt(b)}`)
    const log = createFileReceiptLog(path)
    await log.append(c)
    expect((await log.list()).map((r) => r.id)).toEqual(['a', 'b', 'c'])
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(4)
  })

  test('a failed append rejects and does not block later appends', async () => {
    // The log's folder is a file: mkdir fails.
    const blocker = join(dir, 'blocker')
    await writeFile(blocker, '')
    const broken = createFileReceiptLog(join(blocker, 'receipts.jsonl'))
    await expect(broken.append(receipt())).rejects.toThrow()
    const path = join(dir, 'ok.jsonl')
    const log = createFileReceiptLog(path)
    await log.append(receipt({ id: 'ok' }))
    expect((await log.list()).map((r) => r.id)).toEqual(['ok'])
  })
})

test('a log written when `refused` was `failed` reads as refused; purchases list their latest record', async () => {
  const old = JSON.parse(serializeReceipt(receipt({ id: 'old' })))
  old.status = 'failed'
  expect(parseReceipt(JSON.stringify(old)).status).toBe('refused')

  const log = createMemoryReceiptLog()
  const a = receipt({ id: 'a', purchase: 'p1', status: 'indeterminate' })
  const b = receipt({ id: 'b' })
  await log.append(a)
  await log.append(b)
  await log.append({
    ...a,
    status: 'settled',
    reconciled: { by: 'chain', finding: 'spent', at: 1 },
  })
  const purchases = await listPurchases(log)
  expect(purchases.map((r) => [purchaseOf(r), r.status])).toEqual([
    ['p1', 'settled'],
    ['b', 'settled'],
  ])
  const line = serializeReceipt(purchases[0]!)
  expect(parseReceipt(line)).toEqual(purchases[0])
})
