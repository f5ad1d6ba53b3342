import type { Hex } from 'viem'
import { check } from './check.js'
import type { SettlerContext } from './context.js'

/** When the reads after a broadcast happen, in ms after the send returned: about 40 ms in all. */
const readDelaysMs = [0, 2, 5, 10, 20] as const

/**
 * Reads a just-broadcast transaction's receipt: at once, then a few more times within about 40 ms
 * while no read has found it, because a node that mines on demand may answer the send before its
 * block is sealed. A `confirmed` answer then comes without waiting for the next head poll, which
 * takes over if these reads find nothing (as on a chain with real blocks, where they cost a few
 * calls per transaction, not per payment).
 */
export async function readReceiptSoon(context: SettlerContext, hash: Hex): Promise<void> {
  for (const delay of readDelaysMs) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    // A receipt processed (here or by a head check) stops the tracking.
    if (!context.running || !context.tracked.has(hash)) return
    await check(context, [hash])
  }
}
