/** What {@link nextPollDelayMs} decides from. */
export type NextPollDelayParameters = {
  /** The watcher's polling interval, in ms: never waits longer. */
  pollingIntervalMs: number
  /** The chain's measured block interval, in ms, when it keeps one (`BlockClock.intervalMs`). */
  blockIntervalMs: number | undefined
  /** When the current head was first seen, in ms. */
  seenAt: number | undefined
  now: number
}

/**
 * How long the head watcher waits before its next poll. On a chain that keeps a block interval
 * (several times the polling interval), it sleeps until a little before the next block is due,
 * then polls every fifth of its interval until the block is seen: a new block is noticed about
 * 10 ms after it appears instead of half a polling interval on average, for a few more cheap
 * calls per block. Otherwise (instant mining, irregular or fast chains, a block well overdue), it
 * polls at its interval as before.
 */
export function nextPollDelayMs({
  pollingIntervalMs,
  blockIntervalMs,
  seenAt,
  now,
}: NextPollDelayParameters): number {
  if (blockIntervalMs === undefined || seenAt === undefined) return pollingIntervalMs
  const untilDue = seenAt + blockIntervalMs - now
  const window = pollingIntervalMs / 2
  if (untilDue > window) return Math.min(pollingIntervalMs, untilDue - window)
  // Overdue by more than a polling interval: the chain is not keeping time; poll as usual.
  if (untilDue < -pollingIntervalMs) return pollingIntervalMs
  return Math.max(1, Math.round(pollingIntervalMs / 5))
}
