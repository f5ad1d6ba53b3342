/** When the chain's next block is due, from when this process saw its recent heads. */
export type BlockClock = {
  /** A head at `number` was seen at `at` (ms). Heads that do not advance are ignored. */
  observe(number: bigint, at: number): void
  /** The block interval, in ms, if the last heads came at a steady one the poller can resolve. */
  intervalMs(): number | undefined
  /**
   * When the next block is due (ms), if blocks come at a steady interval: the one after the last
   * head seen, or the one after that when fewer than `marginMs` are left before it.
   */
  nextBlockAt(at: number, marginMs: number): number | undefined
}

/** How many heads the estimate keeps (one interval fewer). */
const window = 6

/**
 * A block clock for a head polled every `pollingMs`. Each new head gives one sample: the time
 * since the previous head was seen over the blocks it advanced. A head is seen up to one poll
 * after it was made, so samples of a chain with steady blocks scatter by about a poll around the
 * interval. The interval is the mean over the window (only its two ends' delays count) when every
 * sample is within a poll (plus 20%) of it and it is at least two polls; otherwise (instant mining,
 * irregular or too fast blocks) there is none.
 */
export function createBlockClock(pollingMs: number): BlockClock {
  const heads: { number: bigint; at: number }[] = []

  function intervalMs(): number | undefined {
    const first = heads[0]
    const last = heads.at(-1)
    if (!first || !last || heads.length < window) return undefined
    const mean = (last.at - first.at) / Number(last.number - first.number)
    if (mean < 2 * pollingMs) return undefined
    const spread = pollingMs + mean * 0.2
    for (let i = 1; i < heads.length; i++) {
      const sample =
        (heads[i]!.at - heads[i - 1]!.at) / Number(heads[i]!.number - heads[i - 1]!.number)
      if (Math.abs(sample - mean) > spread) return undefined
    }
    return mean
  }

  return {
    observe(number, at) {
      const last = heads.at(-1)
      if (last && number <= last.number) {
        // A reorg to a lower or equal height: the next advance is not one interval.
        if (number < last.number) heads.length = 0
        else heads.pop()
      }
      heads.push({ number, at })
      if (heads.length > window) heads.shift()
    },
    intervalMs,
    nextBlockAt(at, marginMs) {
      const interval = intervalMs()
      const last = heads.at(-1)
      if (interval === undefined || !last) return undefined
      let due = last.at + interval
      if (due - marginMs <= at) due += interval
      // The chain is late by more than a block: it does not keep its interval now.
      return due - marginMs <= at ? undefined : due
    },
  }
}
