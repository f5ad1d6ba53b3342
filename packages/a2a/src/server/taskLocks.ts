/** Runs the work of one task at a time, in arrival order, in this process. */
export type TaskLocks = {
  run<value>(taskId: string, work: () => Promise<value>): Promise<value>
}

/**
 * Per-task locks: two messages for one task (a payment sent twice at once) are handled one after
 * the other, so the second sees what the first did to the task.
 */
export function createTaskLocks(): TaskLocks {
  const tails = new Map<string, Promise<unknown>>()
  return {
    async run(taskId, work) {
      const previous = tails.get(taskId) ?? Promise.resolve()
      const current = previous.catch(() => undefined).then(work)
      tails.set(taskId, current)
      try {
        return await current
      } finally {
        if (tails.get(taskId) === current) tails.delete(taskId)
      }
    },
  }
}
