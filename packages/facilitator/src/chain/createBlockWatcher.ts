import type { Hex } from 'viem'
import { createBlockClock } from './createBlockClock.js'
import type { ChainClient } from './createChainClient.js'
import { type HeadState, poll, schedule } from './followHead.js'

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
  const state: HeadState = {
    client,
    pollingIntervalMs,
    depth,
    onError,
    now,
    listeners: new Set(),
    seen: { hashes: new Map(), unchecked: new Map() },
    clock: createBlockClock(pollingIntervalMs),
    head: undefined,
    inFlight: undefined,
    timer: undefined,
    running: false,
  }
  return {
    get head() {
      return state.head
    },
    poll: () => poll(state),
    async pollFresh() {
      if (state.inFlight) await state.inFlight.catch(() => undefined)
      return poll(state)
    },
    subscribe(listener) {
      state.listeners.add(listener)
      return () => state.listeners.delete(listener)
    },
    track(number, hash) {
      state.seen.hashes.set(number, hash)
      state.seen.unchecked.set(number, hash)
    },
    start() {
      if (state.running) return
      state.running = true
      schedule(state)
    },
    async stop() {
      state.running = false
      if (state.timer) clearTimeout(state.timer)
      state.timer = undefined
      await state.inFlight?.catch(() => undefined)
    },
  }
}
