import type { Hex } from 'viem'
import { createBlockClock } from './createBlockClock.js'
import type { ChainClient } from './createChainClient.js'
import { nextPollDelayMs } from './nextPollDelay.js'

/** The newest block the watcher has seen. */
export type BlockHead = {
  number: bigint
  hash: Hex
  parentHash: Hex
  timestamp: bigint
  baseFeePerGas: bigint | undefined
  /** When this process received the block (the watcher's clock, ms), before any listener ran. */
  seenAt?: number | undefined
}

export type BlockEvent =
  /** Blocks `from..to` (inclusive) are new on the canonical chain. */
  | { type: 'blocks'; from: bigint; to: bigint; head: BlockHead }
  /** Blocks above `forkPoint` were replaced: anything seen in them must be checked again. */
  | { type: 'reorg'; forkPoint: bigint; head: BlockHead }

export type BlockListener = (event: BlockEvent) => void | Promise<void>

export type CreateBlockWatcherParameters = {
  /** @default 250 */
  pollingIntervalMs?: number | undefined
  /** How many recent block hashes are kept to find a fork point. @default 128 */
  depth?: number | undefined
  /** Called with errors of polls and listeners (the watcher keeps going). */
  onError?: ((error: unknown) => void) | undefined
  /** The clock that stamps `seenAt`, in milliseconds since the epoch. @default Date.now */
  now?: (() => number) | undefined
}

export type BlockWatcher = {
  readonly head: BlockHead | undefined
  /** Polls now (or joins the poll in flight) and resolves once listeners have run. */
  poll(): Promise<BlockHead | undefined>
  /** Like `poll`, but never joins a poll that started before the call: sees the chain as of now. */
  pollFresh(): Promise<BlockHead | undefined>
  subscribe(listener: BlockListener): () => void
  /**
   * Asks the watcher to check that block `number` keeps hash `hash`: a block holding one of our
   * transactions, known from its receipt, maybe before any poll saw the block.
   */
  track(number: bigint, hash: Hex): void
  start(): void
  /** Stops polling; resolves once a poll in flight (and its listeners) is done. */
  stop(): Promise<void>
}

type RpcBlock = {
  number: Hex
  hash: Hex
  parentHash: Hex
  timestamp: Hex
  baseFeePerGas?: Hex | null
}

function toHead(block: RpcBlock): BlockHead {
  return {
    number: BigInt(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: BigInt(block.timestamp),
    baseFeePerGas:
      block.baseFeePerGas === undefined || block.baseFeePerGas === null
        ? undefined
        : BigInt(block.baseFeePerGas),
  }
}

/**
 * Follows a chain's head by polling `eth_getBlockByNumber('latest')`. It notices reorgs cheaply:
 * a block hash commits to every ancestor, so when the head moves it is enough to check that the
 * previous head is still the block at its height; only when it is not does the watcher walk back
 * through the hashes it kept to find the fork point.
 */
export function createBlockWatcher(
  client: ChainClient,
  {
    pollingIntervalMs = 250,
    depth = 128,
    onError,
    now = Date.now,
  }: CreateBlockWatcherParameters = {},
): BlockWatcher {
  const listeners = new Set<BlockListener>()
  // Recent canonical hashes by height (sparse: only the heads this watcher saw).
  const hashes = new Map<bigint, Hex>()
  // Blocks reported by `track` that no poll has checked yet.
  const unchecked = new Map<bigint, Hex>()
  let head: BlockHead | undefined
  let inFlight: Promise<BlockHead | undefined> | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  // The chain's block interval, learnt from the heads seen, times the polls (`nextPollDelayMs`).
  const clock = createBlockClock(pollingIntervalMs)

  async function getBlock(tag: 'latest' | bigint): Promise<RpcBlock | null> {
    return (await client.request({
      method: 'eth_getBlockByNumber',
      params: [typeof tag === 'bigint' ? `0x${tag.toString(16)}` : tag, false],
    })) as RpcBlock | null
  }

  async function emit(event: BlockEvent): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(event)
      } catch (error) {
        onError?.(error)
      }
    }
  }

  async function findForkPoint(below: bigint): Promise<bigint> {
    const heights = [...hashes.keys()].filter((n) => n <= below).sort((a, b) => (a > b ? -1 : 1))
    for (const height of heights) {
      const block = await getBlock(height)
      if (block && block.hash === hashes.get(height)) return height
      hashes.delete(height)
    }
    // Deeper than anything kept: treat everything kept as replaced.
    const oldest = heights.at(-1)
    return oldest === undefined ? below : oldest - 1n
  }

  async function pollOnce(): Promise<BlockHead | undefined> {
    const block = await getBlock('latest')
    if (!block) return head
    const latest: BlockHead = { ...toHead(block), seenAt: now() }
    const previous = head
    if (previous && latest.hash === previous.hash) return head
    let forkPoint: bigint | undefined
    if (previous) {
      if (latest.number > previous.number) {
        const extends_ =
          latest.number === previous.number + 1n
            ? latest.parentHash === previous.hash
            : (await getBlock(previous.number))?.hash === previous.hash
        if (!extends_) forkPoint = await findForkPoint(previous.number - 1n)
      } else {
        forkPoint = await findForkPoint(latest.number - 1n)
      }
    }
    // Tracked blocks the ancestry check above does not cover (above the previous head).
    for (const [height, hash] of [...unchecked].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (height > latest.number) continue
      unchecked.delete(height)
      if (forkPoint !== undefined && height > forkPoint) continue
      const canonical = height === latest.number ? latest.hash : (await getBlock(height))?.hash
      if (canonical !== hash) {
        hashes.delete(height)
        forkPoint = await findForkPoint(height - 1n)
      }
    }
    if (forkPoint !== undefined)
      for (const height of hashes.keys()) if (height > forkPoint) hashes.delete(height)
    hashes.set(latest.number, latest.hash)
    clock.observe(latest.number, latest.seenAt ?? now())
    for (const height of hashes.keys())
      if (height <= latest.number - BigInt(depth)) hashes.delete(height)
    head = latest
    if (forkPoint !== undefined) await emit({ type: 'reorg', forkPoint, head: latest })
    const from =
      forkPoint !== undefined ? forkPoint + 1n : previous ? previous.number + 1n : latest.number
    await emit({
      type: 'blocks',
      from: from > latest.number ? latest.number : from,
      to: latest.number,
      head: latest,
    })
    return head
  }

  function poll(): Promise<BlockHead | undefined> {
    inFlight ??= pollOnce().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  function schedule(): void {
    if (!running) return
    timer = setTimeout(
      async () => {
        try {
          await poll()
        } catch (error) {
          onError?.(error)
        }
        schedule()
      },
      nextPollDelayMs({
        pollingIntervalMs,
        blockIntervalMs: clock.intervalMs(),
        seenAt: head?.seenAt,
        now: now(),
      }),
    )
    timer.unref?.()
  }

  return {
    get head() {
      return head
    },
    poll,
    async pollFresh() {
      if (inFlight) await inFlight.catch(() => undefined)
      return poll()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    track(number, hash) {
      hashes.set(number, hash)
      unchecked.set(number, hash)
    },
    start() {
      if (running) return
      running = true
      schedule()
    },
    async stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = undefined
      await inFlight?.catch(() => undefined)
    },
  }
}
