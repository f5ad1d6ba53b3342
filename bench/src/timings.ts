import { performance } from 'node:perf_hooks'

/** Call counts and durations by name: where a server's wall-clock time goes (`--trace`). */
export type Timings = {
  /** Wraps every function property of `target` so that its calls (sync or async) are timed. */
  wrap<target extends object>(target: target, prefix: string): target
  time<value>(name: string, run: () => Promise<value>): Promise<value>
  /** Records one call of `name` that took `ms`. */
  add(name: string, ms: number): void
  /** Records `calls` calls of `name` that took `ms` in all (counted elsewhere: no maximum). */
  addTotal(name: string, calls: number, ms: number): void
  report(): string
}

export function createTimings(): Timings {
  const totals = new Map<string, { calls: number; ms: number; max: number | undefined }>()
  function add(name: string, ms: number) {
    const entry = totals.get(name) ?? { calls: 0, ms: 0, max: 0 }
    entry.calls++
    entry.ms += ms
    entry.max = Math.max(entry.max ?? 0, ms)
    totals.set(name, entry)
  }
  async function time<value>(name: string, run: () => Promise<value>): Promise<value> {
    const start = performance.now()
    try {
      return await run()
    } finally {
      add(name, performance.now() - start)
    }
  }
  return {
    wrap(target, prefix) {
      return new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver)
          if (typeof value !== 'function' || typeof property !== 'string') return value
          return (...args: unknown[]) => {
            const start = performance.now()
            const result = value.apply(object, args)
            if (result instanceof Promise)
              return result.finally(() => add(`${prefix}.${property}`, performance.now() - start))
            add(`${prefix}.${property}`, performance.now() - start)
            return result
          }
        },
      })
    },
    time,
    add,
    addTotal(name, calls, ms) {
      const entry = totals.get(name) ?? { calls: 0, ms: 0, max: undefined }
      entry.calls += calls
      entry.ms += ms
      entry.max = undefined
      totals.set(name, entry)
    },
    report() {
      return [...totals]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(
          ([name, t]) =>
            `${name.padEnd(34)} ${String(t.calls).padStart(7)} calls ${t.ms.toFixed(0).padStart(8)} ms total ${(t.ms / t.calls).toFixed(2).padStart(8)} ms mean ${t.max === undefined ? '       -' : t.max.toFixed(1).padStart(8)} ms max`,
        )
        .join('\n')
    },
  }
}
