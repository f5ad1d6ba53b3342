import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import {
  findReorg,
  firstNewBlock,
  type HashAt,
  recordHead,
  type SeenBlock,
  type SeenChain,
} from './forkPoint.js'

// A chain is a list of hashes by height; a fork changes the hashes from a height up.
const hash = (branch: string, height: number) =>
  `0x${branch}${height.toString(16).padStart(63, '0')}` as Hex

function chainOf(branchFrom: Record<number, string>, top: number) {
  const heights = Object.keys(branchFrom).map(Number)
  const branchAt = (h: number) => branchFrom[Math.max(...heights.filter((b) => b <= h))]!
  const block = (h: number): SeenBlock => ({
    number: BigInt(h),
    hash: hash(branchAt(h), h),
    parentHash: h === 0 ? hash('0', 0) : hash(branchAt(h - 1), h - 1),
  })
  const reads: bigint[] = []
  const hashAt: HashAt = async (height) => {
    reads.push(height)
    return height <= BigInt(top) ? block(Number(height)).hash : undefined
  }
  return { block, hashAt, reads }
}

/** What a watcher that saw `heights` of the `a` chain remembers. */
function seenOf(heights: number[]): SeenChain {
  return { hashes: new Map(heights.map((h) => [BigInt(h), hash('a', h)])), unchecked: new Map() }
}

describe('findReorg', () => {
  test('the next block whose parent is the previous head: no reorg, no read', async () => {
    const { block, hashAt, reads } = chainOf({ 0: 'a' }, 11)
    expect(await findReorg(hashAt, seenOf([8, 9, 10]), block(10), block(11))).toBeUndefined()
    expect(reads).toEqual([])
  })

  test('a jump of several blocks over the previous head: one read of it', async () => {
    const { block, hashAt, reads } = chainOf({ 0: 'a' }, 14)
    expect(await findReorg(hashAt, seenOf([9, 10]), block(10), block(14))).toBeUndefined()
    expect(reads).toEqual([10n])
  })

  test('the next block on another parent: the fork is the highest kept block still canonical', async () => {
    // Blocks 9 and 10 were replaced (branch b from 9); 8 is still canonical.
    const { block, hashAt } = chainOf({ 0: 'a', 9: 'b' }, 11)
    const seen = seenOf([7, 8, 9, 10])
    const previous = { ...block(10), hash: hash('a', 10), parentHash: hash('a', 9) }
    expect(await findReorg(hashAt, seen, previous, block(11))).toBe(8n)
    // The replaced heights below the previous head are forgotten on the way.
    expect([...seen.hashes.keys()]).toEqual([7n, 8n, 10n])
  })

  test('a head at the same height with another hash: the fork is below it', async () => {
    const { block, hashAt } = chainOf({ 0: 'a', 10: 'b' }, 10)
    const previous = { ...block(10), hash: hash('a', 10) }
    expect(await findReorg(hashAt, seenOf([8, 9, 10]), previous, block(10))).toBe(9n)
  })

  test('a reorg deeper than anything kept: everything kept counts as replaced', async () => {
    const { block, hashAt } = chainOf({ 0: 'a', 3: 'b' }, 11)
    const previous = { ...block(10), hash: hash('a', 10), parentHash: hash('a', 9) }
    expect(await findReorg(hashAt, seenOf([8, 9, 10]), previous, block(11))).toBe(7n)
  })

  test('a tracked block above the previous head, replaced since its receipt: a fork below it', async () => {
    // The watcher saw 10; a receipt named 12 on branch a; the chain now has b from 12.
    const { block, hashAt } = chainOf({ 0: 'a', 12: 'b' }, 13)
    const seen = seenOf([9, 10])
    seen.hashes.set(12n, hash('a', 12))
    seen.unchecked.set(12n, hash('a', 12))
    expect(await findReorg(hashAt, seen, block(10), block(13))).toBe(10n)
    expect(seen.unchecked.size).toBe(0)
  })

  test('a tracked block still canonical, and one above the new head kept for later', async () => {
    const { block, hashAt } = chainOf({ 0: 'a' }, 12)
    const seen = seenOf([10])
    seen.unchecked.set(12n, hash('a', 12))
    seen.unchecked.set(15n, hash('a', 15))
    expect(await findReorg(hashAt, seen, block(10), block(12))).toBeUndefined()
    expect([...seen.unchecked.keys()]).toEqual([15n])
  })

  test('the first head: nothing to compare, no reorg', async () => {
    const { block, hashAt, reads } = chainOf({ 0: 'a' }, 5)
    expect(await findReorg(hashAt, seenOf([]), undefined, block(5))).toBeUndefined()
    expect(reads).toEqual([])
  })
})

test('recordHead keeps the new head, drops what a fork replaced and what is deeper than depth', () => {
  const seen = seenOf([1, 2, 5, 6, 7])
  recordHead(seen, { number: 7n, hash: hash('b', 7), parentHash: hash('b', 6) }, 5n, 6)
  expect([...seen.hashes]).toEqual([
    [2n, hash('a', 2)],
    [5n, hash('a', 5)],
    [7n, hash('b', 7)],
  ])
})

test('firstNewBlock: after the previous head, after a fork, or the head alone at first', () => {
  const head = { number: 10n, hash: hash('a', 10), parentHash: hash('a', 9) }
  const previous = { number: 7n, hash: hash('a', 7), parentHash: hash('a', 6) }
  expect(firstNewBlock(previous, head, undefined)).toBe(8n)
  expect(firstNewBlock(previous, head, 4n)).toBe(5n)
  expect(firstNewBlock(undefined, head, undefined)).toBe(10n)
  // A head that went back (a shorter chain won): the head itself.
  expect(firstNewBlock({ ...previous, number: 12n }, head, undefined)).toBe(10n)
})
