import { expect, test } from 'vitest'
import { randomEntry, randomHex } from '../../test/randomEntry.js'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger } from '../ledger/types.js'
import { durableForQueued } from './durableForQueued.js'

/** The ledger, counting the writes it is asked for and whether each must be durable. */
function recording(ledger: Ledger) {
  const writes: (boolean | undefined)[] = []
  const counted: Pick<Ledger, 'transition' | 'get'> = {
    get: (key) => ledger.get(key),
    transition: (request, options) => {
      writes.push(options?.durable)
      return ledger.transition(request, options)
    },
  }
  return { counted, writes }
}

test('a queued row is written again, durably, only for a queued answer', async () => {
  const ledger = await createSqliteLedger(':memory:')
  try {
    const e = randomEntry()
    const reserved = await ledger.reserve(e, { state: 'queued' })
    if (reserved.status !== 'reserved') throw new Error(reserved.status)
    const { counted, writes } = recording(ledger)

    // Another mode answers on a later durable write: nothing to do.
    expect(await durableForQueued(counted, 'submitted', reserved.record)).toBe(reserved.record)
    expect(writes).toEqual([])

    const touched = await durableForQueued(counted, 'queued', reserved.record)
    expect(writes).toEqual([undefined]) // the default: durable
    expect(touched).toMatchObject({ state: 'queued', version: reserved.record.version + 1 })

    // A row already further along was written durably when it moved.
    const [submitted] = await ledger.transition({
      keys: [e],
      from: ['queued'],
      to: 'submitted',
      set: { txHash: randomHex(32) },
    })
    expect(await durableForQueued(counted, 'queued', submitted!)).toBe(submitted)
    // Taken by the settler between the read and the write: the row as it is now.
    expect(await durableForQueued(counted, 'queued', reserved.record)).toMatchObject({
      state: 'submitted',
    })
    expect(writes).toHaveLength(2)
  } finally {
    await ledger.close()
  }
})
