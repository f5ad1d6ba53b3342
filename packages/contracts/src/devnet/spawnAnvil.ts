import { type ChildProcess, spawn } from 'node:child_process'
import { AnvilStartError } from './errors.js'

export type SpawnAnvilParameters = {
  /** Path of the anvil executable. */
  binary: string
  /** Arguments besides `--host` and `--port`. */
  args?: readonly string[] | undefined
  /** Loopback port; `0` lets the OS pick a free one. @default 0 */
  port?: number | undefined
  /** How long anvil may take to listen, in milliseconds. @default 20_000 */
  timeoutMs?: number | undefined
}

export type AnvilProcess = {
  /** Pid of anvil itself (the watchdog shell `exec`s into it). */
  pid: number
  port: number
  rpcUrl: string
  /** Terminates anvil (and its watchdog); resolves once it has exited. Idempotent. */
  stop(): Promise<void>
}

// Runs as `sh -c watchdog sh <parentPid> <anvil> <args...>`. A background subshell polls the Node process every
// 200 ms and SIGKILLs anvil when Node is gone, however it died (even SIGKILL, which runs no exit handler).
// `exec` makes anvil take over the shell's pid, so `$$` in the subshell is anvil's pid and so is `child.pid`.
const watchdog = [
  'parent=$1; shift',
  '( while kill -0 "$parent" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 0.2; done; kill -9 $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join('\n')

// Process groups of running anvils, killed synchronously if Node exits without stopping them.
const running = new Set<number>()
let exitHookInstalled = false

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group (anvil and its watchdog), which `detached` made anvil the leader of.
    process.kill(process.platform === 'win32' ? pid : -pid, signal)
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL')
  })
}

const listeningPattern = /Listening on [^\s:]+:(\d+)/

/**
 * Starts anvil on 127.0.0.1 and resolves once it listens. Anvil binds the port itself (port 0 by default) and
 * reports it, so there is no window in which another process can take a port we probed. Anvil dies with the
 * calling Node process (watchdog above, plus an `exit` hook).
 */
export function spawnAnvil({
  binary,
  args = [],
  port = 0,
  timeoutMs = 20_000,
}: SpawnAnvilParameters): Promise<AnvilProcess> {
  installExitHook()
  const child = launch(binary, anvilArguments(port, args))
  const stop = trackExit(child)
  return waitUntilListening(child, { binary, timeoutMs, stop })
}

function anvilArguments(port: number, args: readonly string[]): string[] {
  // Past states stay in memory only (anvil keeps the last few hundred blocks' there): by default
  // it writes older ones to ~/.foundry/anvil/tmp, never deletes them when it is killed, and a day
  // of test and bench runs left 77 GB there.
  return ['--host', '127.0.0.1', '--port', String(port), '--max-persisted-states', '0', ...args]
}

/** Anvil under its watchdog shell (Windows: alone), in a process group of its own. */
function launch(binary: string, anvilArgs: readonly string[]): ChildProcess {
  return process.platform === 'win32'
    ? spawn(binary, anvilArgs, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    : spawn('sh', ['-c', watchdog, 'sh', String(process.pid), binary, ...anvilArgs], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
}

/**
 * Keeps the child among the anvils the exit hook kills until it exits, and returns its `stop`:
 * SIGTERM to the group, SIGKILL after 2 s, resolved once it has exited. Idempotent.
 */
function trackExit(child: ChildProcess): () => Promise<void> {
  const pid = child.pid
  let exited = child.exitCode !== null || child.signalCode !== null
  const exitPromise = new Promise<void>((done) => {
    child.once('exit', () => {
      exited = true
      if (pid !== undefined) running.delete(pid)
      done()
    })
  })
  if (pid !== undefined) running.add(pid)
  return async () => {
    if (pid === undefined || exited) return
    killGroup(pid, 'SIGTERM')
    const force = setTimeout(() => killGroup(pid, 'SIGKILL'), 2_000)
    await exitPromise
    clearTimeout(force)
  }
}

/**
 * Resolves with the running anvil once its stdout says where it listens; rejects (and kills it) if it cannot be
 * spawned, exits first, or says nothing within `timeoutMs`.
 */
function waitUntilListening(
  child: ChildProcess,
  { binary, timeoutMs, stop }: { binary: string; timeoutMs: number; stop: () => Promise<void> },
): Promise<AnvilProcess> {
  return new Promise<AnvilProcess>((resolve, reject) => {
    const pid = child.pid
    let stdout = ''
    let stderr = ''
    let settled = false
    const fail = (details: string, cause?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (pid !== undefined) killGroup(pid, 'SIGKILL')
      reject(new AnvilStartError({ details, cause }))
    }
    const timer = setTimeout(() => fail(`no "Listening on" line within ${timeoutMs} ms`), timeoutMs)
    child.once('error', (error) => fail(`cannot spawn ${binary}: ${error.message}`, error))
    child.once('exit', (code, signal) =>
      fail(
        `anvil exited (${signal ?? `code ${code}`}) before listening: ${stderr.trim().slice(-500)}`,
      ),
    )
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4_000)
    })
    child.stdout?.setEncoding('utf8')
    // Anvil keeps logging every call on stdout: keep draining it (a full pipe would block anvil), but only look
    // at it until the port is known. The banner lists dev private keys: it is never kept or surfaced.
    child.stdout?.on('data', (chunk: string) => {
      if (settled) return
      stdout = (stdout + chunk).slice(-1_000)
      const match = listeningPattern.exec(stdout)
      if (!match || pid === undefined) return
      settled = true
      clearTimeout(timer)
      stdout = ''
      const actualPort = Number(match[1])
      unrefPipes(child)
      resolve({ pid, port: actualPort, rpcUrl: `http://127.0.0.1:${actualPort}`, stop })
    })
  })
}

/**
 * The pipes must not keep the event loop alive: a forgotten devnet should not hang the process (the watchdog
 * and exit hook still end anvil).
 */
function unrefPipes(child: ChildProcess): void {
  child.unref()
  ;(child.stdout as { unref?: () => void } | null)?.unref?.()
  ;(child.stderr as { unref?: () => void } | null)?.unref?.()
}
