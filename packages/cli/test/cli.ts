import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CliIo } from '../src/io.js'
import { run } from '../src/run.js'

/** The repository root: the bin runs from there so tsx maps `@tollgate/*` to the sources. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url))

/** `run` in this process, its output collected. */
export async function runCli(
  argv: readonly string[],
  io: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text
      },
    },
    env: {},
    ...io,
  })
  return { code, stdout, stderr }
}

export type CliProcess = {
  child: ChildProcess
  readonly stdout: string
  readonly stderr: string
  /** Resolves once `test` accepts the output so far (rejects when the process exits first). */
  waitFor<value>(
    test: (output: { stdout: string; stderr: string }) => value | undefined,
    timeoutMs?: number,
  ): Promise<value>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** The bin as a child process: `node --import tsx packages/cli/src/bin.ts ...argv`. */
export function spawnCli(
  argv: readonly string[],
  { env = {}, cwd = repoRoot }: { env?: Record<string, string>; cwd?: string } = {},
): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...argv], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    for (const listener of listeners) listener()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
    for (const listener of listeners) listener()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    exited,
    waitFor(test, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const value = test({ stdout, stderr })
          if (value === undefined) return
          cleanup()
          resolve(value)
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out; stdout:\n${stdout}\nstderr:\n${stderr}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        void exited.then(() => {
          if (!listeners.has(check)) return
          check()
          if (!listeners.has(check)) return
          cleanup()
          reject(new Error(`exited first; stdout:\n${stdout}\nstderr:\n${stderr}`))
        })
        check()
      })
    },
  }
}

/** True while `pid` runs; a zombie counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits until `pid` is gone (anvil is reaped a moment after its parent exits). */
export async function waitForExit(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const started = Date.now()
  while (isRunning(pid)) {
    if (Date.now() - started > timeoutMs) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return true
}

/** Stops a child left running (a failed test): SIGINT so it cleans up, SIGKILL after 5 s. */
export async function stopCli(cli: CliProcess): Promise<void> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return
  cli.child.kill('SIGINT')
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 5_000)
  await cli.exited
  clearTimeout(timer)
}
