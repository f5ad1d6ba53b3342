import type { createBlockClock } from './createBlockClock.js'
import type {
  BlockEvent,
  BlockHead,
  BlockListener,
  CreateBlockWatcherParameters,
} from './createBlockWatcher.js'
import type { ChainClient } from './createChainClient.js'
import { findReorg, firstNewBlock, recordHead, type SeenChain } from './forkPoint.js'
import { nextPollDelayMs } from './nextPollDelay.js'
import { getBlock, toHead } from './rpcBlock.js'

/** What a block watcher knows and runs: its chain, its listeners, the head and the poll in flight. */
export type HeadState = {
  client: ChainClient
  pollingIntervalMs: number
  depth: number
  onError: CreateBlockWatcherParameters['onError']
  now: () => number
  listeners: Set<BlockListener>
  seen: SeenChain
  /** The chain's block interval, learnt from the heads seen, times the polls (`nextPollDelayMs`). */
  clock: ReturnType<typeof createBlockClock>
  head: BlockHead | undefined
  inFlight: Promise<BlockHead | undefined> | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  running: boolean
}

/** Polls now, or joins the poll in flight; resolves once the listeners have run. */
export function poll(state: HeadState): Promise<BlockHead | undefined> {
  state.inFlight ??= pollOnce(state).finally(() => {
    state.inFlight = undefined
  })
  return state.inFlight
}

/** Reads the latest block; a new one is recorded and told to the listeners (a reorg first). */
async function pollOnce(state: HeadState): Promise<BlockHead | undefined> {
  const block = await getBlock(state.client, 'latest')
  if (!block) return state.head
  const latest = toHead(block, state.now())
  const previous = state.head
  if (previous && latest.hash === previous.hash) return state.head
  const hashAt = async (height: bigint) => (await getBlock(state.client, height))?.hash
  const forkPoint = await findReorg(hashAt, state.seen, previous, latest)
  recordHead(state.seen, latest, forkPoint, state.depth)
  state.clock.observe(latest.number, latest.seenAt ?? state.now())
  state.head = latest
  if (forkPoint !== undefined) await emit(state, { type: 'reorg', forkPoint, head: latest })
  const from = firstNewBlock(previous, latest, forkPoint)
  await emit(state, { type: 'blocks', from, to: latest.number, head: latest })
  return state.head
}

/** Each listener in turn; a listener's error goes to `onError` and the others still run. */
async function emit(state: HeadState, event: BlockEvent): Promise<void> {
  for (const listener of state.listeners) {
    try {
      await listener(event)
    } catch (error) {
      state.onError?.(error)
    }
  }
}

/** The next poll, timed to when the next block is due; then the one after, while running. */
export function schedule(state: HeadState): void {
  if (!state.running) return
  state.timer = setTimeout(
    async () => {
      try {
        await poll(state)
      } catch (error) {
        state.onError?.(error)
      }
      schedule(state)
    },
    nextPollDelayMs({
      pollingIntervalMs: state.pollingIntervalMs,
      blockIntervalMs: state.clock.intervalMs(),
      seenAt: state.head?.seenAt,
      now: state.now(),
    }),
  )
  state.timer.unref?.()
}
