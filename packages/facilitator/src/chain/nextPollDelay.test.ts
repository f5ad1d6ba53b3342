import { expect, test } from 'vitest'
import { nextPollDelayMs } from './nextPollDelay.js'

const polling = { pollingIntervalMs: 100 }

test('no block interval known (instant mining, irregular chains): the polling interval', () => {
  expect(nextPollDelayMs({ ...polling, blockIntervalMs: undefined, seenAt: 0, now: 10 })).toBe(100)
  expect(nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt: undefined, now: 10 })).toBe(
    100,
  )
})

test('far from the next block: the polling interval; just before it: until the window opens', () => {
  // Head seen at 0 on 1-s blocks: due at 1000, the window opens at 950.
  expect(nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt: 0, now: 100 })).toBe(100)
  expect(nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt: 0, now: 900 })).toBe(50)
})

test('inside the window and while the block is late: every fifth of the interval', () => {
  for (const now of [950, 1000, 1060, 1100])
    expect(nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt: 0, now })).toBe(20)
})

test('a block overdue by more than a polling interval: back to the polling interval', () => {
  expect(nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt: 0, now: 1101 })).toBe(100)
})

test('following a chain of 1-s blocks, each block is seen within a fifth of the interval', () => {
  // Blocks appear at 1000·k + 37; the watcher polls by nextPollDelayMs from a head seen at 37.
  const produced = (k: number) => 1000 * k + 37
  let seenAt = produced(0)
  let now = seenAt
  let polls = 0
  const lags: number[] = []
  for (let k = 1; k <= 20; k++) {
    while (now < produced(k)) {
      now += nextPollDelayMs({ ...polling, blockIntervalMs: 1000, seenAt, now })
      polls++
    }
    lags.push(now - produced(k))
    seenAt = now
  }
  expect(Math.max(...lags)).toBeLessThanOrEqual(20)
  // At 100 ms polling it would be 10 polls a block; about the same here, never more than 14.
  expect(polls / 20).toBeLessThanOrEqual(14)
})
