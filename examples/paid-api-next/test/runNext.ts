// Runs `next start` for the built example in its own process, on a free loopback port, with
// `env` added to this process's environment (as examples/paid-api/test/runExample.ts runs the
// others). A watchdog kills it if this test process dies first.
import { type ChildProcess, spawn } from 'node:child_process'

export type RunningNext = {
  readonly child: ChildProcess
  /** Everything printed so far (stdout and stderr). */
  output(): string
  /** Resolves with the first match of `pattern` in the output, waiting for it to be printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
}

const running = new Set<ChildProcess>()

/** Starts `next start` in `dir` on 127.0.0.1 and a port the system picks. */
export function runNext(dir: string, env: Record<string, string>): RunningNext {
  const next = `${dir}/node_modules/next/dist/bin/next`
  const child = spawn(process.execPath, [next, 'start', '-H', '127.0.0.1', '-p', '0'], {
    cwd: dir,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`,
    ],
    { detached: true, stdio: 'ignore' },
  ).unref()
  let all = ''
  const listeners = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    all += chunk
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return {
    child,
    output: () => all,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = all.match(pattern)
          if (match) {
            done()
            resolve(match)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done()
            reject(new Error(`next start exited before printing ${pattern}:\n${all}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`next start did not print ${pattern} in ${timeoutMs} ms:\n${all}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        child.once('exit', check)
        check()
      })
    },
  }
}

/** Kills every `next start` still running and waits for it to exit. */
export async function stopNext(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve())
          child.kill('SIGKILL')
        }),
    ),
  )
}
