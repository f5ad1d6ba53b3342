import { readFileSync } from 'node:fs'

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100

/** CPU time (user + system) a process has used so far, in ms; `undefined` off Linux or once it is gone. */
export function readProcessCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "pid (comm) state ..." — comm may contain spaces; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    return ((utime + stime) * 1000) / ticksPerSecond
  } catch {
    return undefined
  }
}

/** CPU ms used by each named process between `start()` and `stop()`. */
export function sampleProcessCpu(pids: Record<string, number>) {
  const before = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, readProcessCpuMs(pid)]),
  )
  return {
    stop(): Record<string, number | undefined> {
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => {
          const start = before[name]
          const end = readProcessCpuMs(pid)
          return [name, start === undefined || end === undefined ? undefined : end - start]
        }),
      )
    },
  }
}
