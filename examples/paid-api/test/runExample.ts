// Runs an example as a newcomer would: its own Node process (`node --import tsx <file>`), configured
// by environment. Started from the repository root, so `tsx` maps `@tollgate/*` to the workspace
// sources (the root tsconfig's `paths`), as the test files themselves are.
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))

export type RunningExample = {
  readonly child: ChildProcess
  /** Everything printed so far (stdout and stderr). */
  output(): string
  /** Resolves with the first match of `pattern` in stdout, waiting for it to be printed. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

const running = new Set<RunningExample>()

/** Starts `examples/<path>` with `env` added to this process's environment. */
export function runExample(path: string, env: Record<string, string>): RunningExample {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${path}`], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // If this test process dies without stopping the example (SIGKILL), a watchdog stops it.
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -9 ${child.pid} 2>/dev/null`,
    ],
    { detached: true, stdio: 'ignore' },
  )
  watchdog.unref()
  let stdout = ''
  let all = ''
  const listeners = new Set<() => void>()
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk
    all += chunk
    for (const listener of listeners) listener()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    all += chunk
  })
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      watchdog.kill()
      for (const listener of listeners) listener()
      resolve(code)
    })
  })
  const example: RunningExample = {
    child,
    output: () => all,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern)
          if (match) {
            done()
            resolve(match)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done()
            reject(new Error(`examples/${path} exited before printing ${pattern}:\n${all}`))
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`examples/${path} did not print ${pattern} in ${timeoutMs} ms:\n${all}`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
      })
    },
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
  running.add(example)
  void exited.then(() => running.delete(example))
  return example
}

/** Kills every example still running (for `afterAll`/`afterEach`, so none outlives its test). */
export async function stopExamples(): Promise<void> {
  await Promise.all([...running].map((example) => example.stop('SIGKILL')))
}
