import { afterEach, beforeEach, expect, test } from 'vitest'
import { randomEntry, randomHex } from '../../test/randomEntry.js'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger, SettlementRecord } from '../ledger/types.js'
import { createSettlementEvents } from './createSettlementEvents.js'

let ledger: Ledger
let reads: number
let counted: Ledger

beforeEach(async () => {
  ledger = await createSqliteLedger(':memory:')
  reads = 0
  counted = {
    ...ledger,
    get: (key) => {
      reads++
      return ledger.get(key)
    },
  }
})

afterEach(() => ledger.close())

/** A queued row, and the same row as the settler would publish it once submitted. */
async function queuedAndSubmitted(): Promise<[SettlementRecord, SettlementRecord]> {
  const reserved = await ledger.reserve(randomEntry(), { state: 'queued' })
  if (reserved.status !== 'reserved') throw new Error(reserved.status)
  const queued = reserved.record
  const [submitted] = await ledger.transition({
    keys: [queued],
    from: ['queued'],
    to: 'submitted',
    set: { txHash: randomHex(32) },
  })
  return [queued, submitted!]
}

const isSubmitted = (record: SettlementRecord) => record.state === 'submitted'

test('a wait from a row of our own listens at once: a publish in the same tick reaches it, with no ledger read', async () => {
  const events = createSettlementEvents(counted)
  const [queued, submitted] = await queuedAndSubmitted()
  // No poll comes to the rescue within the timeout: only the publish can end the wait in time.
  const waiting = events.wait(queued, {
    until: isSubmitted,
    timeoutMs: 1_000,
    pollMs: 60_000,
    current: queued,
  })
  events.publish([submitted])
  expect(await waiting).toEqual({ record: submitted, timedOut: false })
  expect(reads).toBe(0)
})

test('a wait without a row reads the ledger first, and answers from it when it already holds', async () => {
  const events = createSettlementEvents(counted)
  const [queued, submitted] = await queuedAndSubmitted()
  expect(await events.wait(queued, { until: isSubmitted, timeoutMs: 1_000 })).toEqual({
    record: submitted,
    timedOut: false,
  })
  expect(reads).toBe(1)
  // The row given is not trusted past what it says: one already there ends the wait at once.
  expect(
    await events.wait(queued, { until: isSubmitted, timeoutMs: 1_000, current: submitted }),
  ).toEqual({ record: submitted, timedOut: false })
  expect(reads).toBe(1)
})
