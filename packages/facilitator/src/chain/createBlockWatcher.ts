import type { Hex } from 'viem'
import { createBlockClock } from './createBlockClock.js'
import type { ChainClient } from './createChainClient.js'
import { findReorg, firstNewBlock, recordHead, type SeenChain } from './forkPoint.js'
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

async function getBlock(client: ChainClient, tag: 'latest' | bigint): Promise<RpcBlock | null> {
  return (await client.request({
    method: 'eth_getBlockByNumber',
    params: [typeof tag === 'bigint' ? `0x${tag.toString(16)}` : tag, false],
  })) as RpcBlock | null
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
 * Follows a chain's head by polling `eth_getBlockByNumber('latest')`, and tells its listeners of
 * new blocks and of reorgs (found cheaply from the hashes it kept: `findReorg`).
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
  const seen: SeenChain = { hashes: new Map(), unchecked: new Map() }
  let head: BlockHead | undefined
  let inFlight: Promise<BlockHead | undefined> | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  // The chain's block interval, learnt from the heads seen, times the polls (`nextPollDelayMs`).
  const clock = createBlockClock(pollingIntervalMs)
  const hashAt = async (height: bigint) => (await getBlock(client, height))?.hash

  async function emit(event: BlockEvent): Promise<void> {
    for (const listener of listeners) {
      try {
        await listener(event)
      } catch (error) {
        onError?.(error)
      }
    }
  }

  async function pollOnce(): Promise<BlockHead | undefined> {
    const block = await getBlock(client, 'latest')
    if (!block) return head
    const latest: BlockHead = { ...toHead(block), seenAt: now() }
    const previous = head
    if (previous && latest.hash === previous.hash) return head
    const forkPoint = await findReorg(hashAt, seen, previous, latest)
    recordHead(seen, latest, forkPoint, depth)
    clock.observe(latest.number, latest.seenAt ?? now())
    head = latest
    if (forkPoint !== undefined) await emit({ type: 'reorg', forkPoint, head: latest })
    const from = firstNewBlock(previous, latest, forkPoint)
    await emit({ type: 'blocks', from, to: latest.number, head: latest })
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
      seen.hashes.set(number, hash)
      seen.unchecked.set(number, hash)
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
