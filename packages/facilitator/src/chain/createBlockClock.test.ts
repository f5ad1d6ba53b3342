import { describe, expect, test } from 'vitest'
import { createBlockClock } from './createBlockClock.js'

describe('createBlockClock', () => {
  test('steady 1-s blocks seen through a 100-ms poll: the interval and the next block', () => {
    const clock = createBlockClock(100)
    const seen = [0, 1_080, 1_990, 3_050, 4_000, 5_070]
    for (const [i, at] of seen.entries()) clock.observe(BigInt(i + 10), at)
    expect(clock.intervalMs()).toBe(1_014)
    // Last head seen at 5070: the next is due about a second later.
    expect(clock.nextBlockAt(5_200, 200)).toBe(6_084)
    // Too close to that block to make it: the one after.
    expect(clock.nextBlockAt(5_900, 200)).toBe(7_098)
    // Later than that, the chain is not keeping its interval.
    expect(clock.nextBlockAt(6_950, 200)).toBeUndefined()
  })

  test('instant mining (several blocks per poll) has no interval', () => {
    const clock = createBlockClock(100)
    for (let i = 0; i < 10; i++) clock.observe(BigInt(3 * i), i * 100)
    expect(clock.intervalMs()).toBeUndefined()
    expect(clock.nextBlockAt(1_000, 50)).toBeUndefined()
  })

  test('irregular blocks (sporadic instant mining) have no interval', () => {
    const clock = createBlockClock(100)
    const seen = [0, 400, 3_000, 3_500, 9_000, 9_800]
    for (const [i, at] of seen.entries()) clock.observe(BigInt(i), at)
    expect(clock.intervalMs()).toBeUndefined()
  })

  test('fewer than five intervals seen: none yet; a reorg starts the count again', () => {
    const clock = createBlockClock(100)
    for (let i = 0; i < 5; i++) clock.observe(BigInt(i), i * 1_000)
    expect(clock.intervalMs()).toBeUndefined()
    clock.observe(5n, 5_000)
    expect(clock.intervalMs()).toBe(1_000)
    clock.observe(3n, 5_500)
    expect(clock.intervalMs()).toBeUndefined()
  })
})
