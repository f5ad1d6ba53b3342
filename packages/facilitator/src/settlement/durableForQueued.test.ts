import { randomBytes } from 'node:crypto'
import type { Address, Hex } from 'viem'
import { expect, test } from 'vitest'
import { createSqliteLedger } from '../ledger/createSqliteLedger.js'
import type { Ledger, SettlementEntry } from '../ledger/types.js'
import { durableForQueued } from './durableForQueued.js'

const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}` as Hex

function entry(): SettlementEntry {
  return {
    chainId: 31337,
    asset: hex(20) as Address,
    payer: hex(20) as Address,
    nonce: hex(32),
    payee: hex(20) as Address,
    value: 1_000n,
    validAfter: 0n,
    validBefore: 2_000_000_000n,
    signature: hex(65),
  }
}

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
    const e = entry()
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
      set: { txHash: hex(32) },
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
