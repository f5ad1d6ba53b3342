/** Wakes the settler's waiting workers early: new work, a freed nonce, `stop()`. */
export type Signal = {
  /** Resolves after `ms`, or at the next `notify()`, whichever comes first. */
  wait(ms: number): Promise<void>
  /** Ends every wait in progress. */
  notify(): void
}

/** A signal with no waiters yet. */
export function createSignal(): Signal {
  let waiters: (() => void)[] = []
  return {
    wait(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          waiters = waiters.filter((w) => w !== done)
          resolve()
        }
        waiters.push(done)
      })
    },
    notify() {
      for (const waiter of waiters.splice(0)) waiter()
    },
  }
}
