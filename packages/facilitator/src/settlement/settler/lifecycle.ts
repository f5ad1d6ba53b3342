import { check } from './check.js'
import type { SettlerContext } from './context.js'
import { recover } from './recover.js'
import { onBlock } from './reorg.js'
import { sweep } from './sweep.js'
import { work } from './worker.js'

/** What a started settler holds: its workers, its block subscription and its timers. */
export type Lifecycle = {
  loops: Promise<void>[]
  unsubscribe: (() => void) | undefined
  sweepTimer: ReturnType<typeof setInterval> | undefined
  checkTimer: ReturnType<typeof setInterval> | undefined
  /** The sweep in progress, if one is. */
  sweeping: Promise<void> | undefined
  /** The start in progress (recovering), which a second `start` joins and `stop` waits for. */
  starting: Promise<void> | undefined
}

/** Nothing started yet. */
export function createLifecycle(): Lifecycle {
  return {
    loops: [],
    unsubscribe: undefined,
    sweepTimer: undefined,
    checkTimer: undefined,
    sweeping: undefined,
    starting: undefined,
  }
}

/**
 * Recovers, then subscribes to blocks, starts one worker per account and the timers. A start
 * while one is recovering joins it (two would each start workers and timers, and `stop` would
 * only know the last ones); a started settler starts nothing more.
 */
export function startSettler(context: SettlerContext, lifecycle: Lifecycle): Promise<void> {
  if (context.running) return Promise.resolve()
  lifecycle.starting ??= begin(context, lifecycle).finally(() => {
    lifecycle.starting = undefined
  })
  return lifecycle.starting
}

async function begin(context: SettlerContext, lifecycle: Lifecycle): Promise<void> {
  const { watcher, accounts, tracked, onError } = context
  // Recovery first: when it throws, nothing is left subscribed and a later start tries again.
  // It ends by checking the last 64 blocks for reorgs, so no block seen meanwhile is missed.
  await recover(context)
  lifecycle.unsubscribe?.()
  lifecycle.unsubscribe = watcher.subscribe((event) => onBlock(context, event))
  context.running = true
  for (const account of accounts) lifecycle.loops.push(work(context, account))
  lifecycle.sweepTimer = setInterval(() => {
    lifecycle.sweeping ??= sweep(context)
      .catch(onError)
      .finally(() => {
        lifecycle.sweeping = undefined
      })
  }, context.sweepMs)
  lifecycle.sweepTimer.unref?.()
  // Blocks drive receipt checks; this covers a chain that stops producing them (stuck
  // transactions are replaced even when no block comes).
  lifecycle.checkTimer = setInterval(
    () => {
      if (tracked.size > 0) void check(context)
    },
    Math.max(100, Math.min(context.rebroadcastAfterMs, 1_000)),
  )
  lifecycle.checkTimer.unref?.()
}

/**
 * Stops the workers and timers, then waits for the work in progress to end. A start still
 * recovering is let finish first, so that what it starts is stopped too.
 */
export async function stopSettler(context: SettlerContext, lifecycle: Lifecycle): Promise<void> {
  await lifecycle.starting?.catch(() => undefined)
  context.running = false
  lifecycle.unsubscribe?.()
  lifecycle.unsubscribe = undefined
  if (lifecycle.sweepTimer) clearInterval(lifecycle.sweepTimer)
  if (lifecycle.checkTimer) clearInterval(lifecycle.checkTimer)
  context.signal.notify()
  await Promise.all(lifecycle.loops.splice(0))
  await Promise.all([...context.receiptChecks])
  await context.checking
  await lifecycle.sweeping
}
