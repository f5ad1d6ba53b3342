import { expect, test } from 'vitest'
import type { BlockWatcher } from '../chain/createBlockWatcher.js'
import type { ChainClient } from '../chain/createChainClient.js'
import { createFeeStrategy } from './createFeeStrategy.js'

/** A node whose `eth_maxPriorityFeePerGas` answers are released by the test, one at a time. */
function tipNode() {
  const pending: ((value: `0x${string}`) => void)[] = []
  const client = {
    request: ({ method }: { method: string }) => {
      if (method !== 'eth_maxPriorityFeePerGas') throw new Error(`unexpected ${method}`)
      return new Promise((resolve) => pending.push(resolve))
    },
  } as unknown as ChainClient
  return { client, pending }
}

function watcherAt(number: bigint) {
  const watcher = { head: { number, baseFeePerGas: 100n } }
  return {
    watcher: watcher as unknown as BlockWatcher,
    advance: (to: bigint) => {
      watcher.head = { number: to, baseFeePerGas: 100n }
    },
  }
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))])

test('the first tip is awaited; a new block is priced with the last tip while its own is read', async () => {
  const { client, pending } = tipNode()
  const { watcher, advance } = watcherAt(1n)
  const fees = createFeeStrategy(client, watcher)

  // Nothing known yet: both callers wait for the one read.
  const first = fees.current()
  const second = fees.current()
  expect(pending).toHaveLength(1)
  expect(await settled(first)).toBe(false)
  pending.shift()!('0x5')
  expect(await first).toEqual({ maxFeePerGas: 205n, maxPriorityFeePerGas: 5n })
  expect(await second).toEqual(await first)

  // Same block: no read.
  await fees.current()
  expect(pending).toHaveLength(0)

  // A new block: answered at once with the last tip, one read started for the new one.
  advance(2n)
  expect(await fees.current()).toEqual({ maxFeePerGas: 205n, maxPriorityFeePerGas: 5n })
  await fees.current()
  expect(pending).toHaveLength(1)
  pending.shift()!('0x7')
  await new Promise((r) => setTimeout(r, 0))
  expect(await fees.current()).toEqual({ maxFeePerGas: 207n, maxPriorityFeePerGas: 7n })
  expect(pending).toHaveLength(0)
})

test('a configured tip never asks the node', async () => {
  const { client, pending } = tipNode()
  const { watcher } = watcherAt(1n)
  const fees = createFeeStrategy(client, watcher, { priorityFeePerGas: 3n })
  expect(await fees.current()).toEqual({ maxFeePerGas: 203n, maxPriorityFeePerGas: 3n })
  expect(pending).toHaveLength(0)
})
