import { expect, test } from 'vitest'
import { scanBlocks } from './scanBlocks.js'

test('reads in chunks, in order, and inclusive of both ends', async () => {
  const calls: [bigint, bigint][] = []
  const blocks = await scanBlocks(
    { fromBlock: 3n, toBlock: 12n, chunkSize: 4n },
    async (from, to) => {
      calls.push([from, to])
      const range: bigint[] = []
      for (let block = from; block <= to; block++) range.push(block)
      return range
    },
  )
  expect(calls).toEqual([
    [3n, 6n],
    [7n, 10n],
    [11n, 12n],
  ])
  expect(blocks).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n])
})

test('a refused range is split until it passes', async () => {
  const blocks = await scanBlocks(
    { fromBlock: 0n, toBlock: 9n, chunkSize: 100n },
    async (from, to) => {
      if (to - from > 2n) throw new Error('block range too large')
      const range: bigint[] = []
      for (let block = from; block <= to; block++) range.push(block)
      return range
    },
  )
  expect(blocks).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n])
})

test('a node that always fails gives up after a few calls', async () => {
  let calls = 0
  await expect(
    scanBlocks({ fromBlock: 0n, toBlock: 1_000_000n, chunkSize: 1_000_000n }, async () => {
      calls++
      throw new Error('connection refused')
    }),
  ).rejects.toThrow('connection refused')
  expect(calls).toBe(11)
})
