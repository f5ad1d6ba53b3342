import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { RedisServerNotFoundError, RedisServerStartError } from './errors.js'

/** Parameters of {@link startRedis}. */
export type StartRedisParameters = {
  /** Path of a `redis-server` executable. @default the first on `PATH`, else `/usr/bin/redis-server` */
  binary?: string | undefined
  /** How long the server may take to accept connections, in milliseconds. @default 10_000 */
  timeoutMs?: number | undefined
}

/** A running redis-server. */
export type StartRedisReturnType = {
  /** `redis://127.0.0.1:<port>`, for `createClient({ url })`. */
  url: string
  port: number
  /** Pid of redis-server. */
  pid: number
  /** Stops the server (SIGTERM, then SIGKILL) and deletes its directory. Idempotent. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

// Runs as `sh -c watchdog sh <parentPid> <redis-server> <args...>`, as the devnet runs anvil: a
// background subshell SIGKILLs the server once the Node process is gone, however it died (even
// SIGKILL, which runs no exit handler). `exec` hands the shell's pid to redis-server.
const watchdog = [
  'parent=$1; shift',
  '( while kill -0 "$parent" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 0.2; done; kill -9 $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join('\n')

const ready = 'Ready to accept connections'
const portTaken = 'Address already in use'
const running = new Set<ChildProcess>()

/**
 * Starts Debian's `redis-server` on 127.0.0.1 on a free port, in a fresh temp directory, with
 * nothing persisted (`--save ''`, `--appendonly no`) and no config file read. It runs as the
 * current user from wherever the binary is, so a clone under a 0700 directory works as root too.
 * A missing `redis-server` fails at once, saying how to install it.
 *
 * @example
 * import { startRedis } from '@tollgate/test'
 *
 * const redis = await startRedis()
 * const client = await createClient({ url: redis.url }).connect()
 * // ...
 * await client.close()
 * await redis.stop()
 */
export async function startRedis({
  binary: given,
  timeoutMs = 10_000,
}: StartRedisParameters = {}): Promise<StartRedisReturnType> {
  const binary = findRedisServer(given)
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'))
  try {
    // A free port probed here can be taken before the server binds it: try another then.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      try {
        return await serve({ binary, dir, port, timeoutMs })
      } catch (error) {
        if (!(error instanceof RedisServerStartError && error.portTaken) || attempt === 3)
          throw error
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** The given executable, else the `redis-server` on `PATH`, else Debian's; throws when there is none. */
function findRedisServer(given: string | undefined): string {
  const candidates = given
    ? [given]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin']
        .filter(Boolean)
        .map((dir) => join(dir, 'redis-server'))
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // Not here.
    }
  }
  throw new RedisServerNotFoundError({ searched: candidates })
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Spawns the server; resolves once it accepts connections, rejects with its log if it dies. */
function serve({
  binary,
  dir,
  port,
  timeoutMs,
}: {
  binary: string
  dir: string
  port: number
  timeoutMs: number
}): Promise<StartRedisReturnType> {
  const args = [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''],
  ]
  const child = spawn('sh', ['-c', watchdog, 'sh', String(process.pid), binary, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  installExitHook()
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => running.delete(child))
  return new Promise((resolve, reject) => {
    let log = ''
    let settled = false
    const fail = (details: string, cause?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      killGroup(child, 'SIGKILL')
      reject(
        new RedisServerStartError({
          details: `${details}\n${log.slice(-2_000)}`,
          portTaken: log.includes(portTaken),
          cause,
        }),
      )
    }
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs)
    const read = (chunk: Buffer) => {
      // The server keeps logging: keep draining the pipes, remember only the tail.
      log = (log + chunk.toString('utf8')).slice(-8_000)
      if (settled || !log.includes(ready)) return
      settled = true
      clearTimeout(timer)
      child.unref()
      ;(child.stdout as { unref?: () => void } | null)?.unref?.()
      ;(child.stderr as { unref?: () => void } | null)?.unref?.()
      resolve(handle(child, { dir, port, exited }))
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('error', (error) => fail(`cannot spawn ${binary}: ${error.message}`, error))
    child.once('exit', (code, signal) => fail(`redis-server exited (${signal ?? `code ${code}`})`))
  })
}

function handle(
  child: ChildProcess,
  { dir, port, exited }: { dir: string; port: number; exited: Promise<void> },
): StartRedisReturnType {
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM')
        const force = setTimeout(() => killGroup(child, 'SIGKILL'), 2_000)
        await exited
        clearTimeout(force)
      }
      rmSync(dir, { recursive: true, force: true })
    })()
    return stopped
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    // Negative pid: the server and its watchdog, the group `detached` made the server lead.
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL')
  })
}
