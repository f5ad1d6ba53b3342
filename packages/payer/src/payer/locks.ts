/** Runs the calls of one key one after another; calls of other keys run alongside. */
export type Locks = {
  run<result>(key: string, task: () => Promise<result>): Promise<result>
}

/**
 * Creates per-key locks: a purchase's calls run in turn, so a retry sees what the call before it
 * recorded. A task that fails releases the lock like one that succeeds; a key with nothing queued
 * is forgotten.
 */
export function createLocks(): Locks {
  const tails = new Map<string, Promise<unknown>>()
  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve()
      const current = previous.then(task, task)
      const tail = current.catch(() => undefined)
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return current
    },
  }
}
