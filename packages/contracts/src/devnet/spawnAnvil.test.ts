import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { AnvilStartError } from './errors.js'
import { resolveAnvilBinary } from './resolveAnvilBinary.js'
import { spawnAnvil } from './spawnAnvil.js'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))
const devnetEntry = fileURLToPath(new URL('../exports/devnet.ts', import.meta.url))

/** True while `pid` runs; a zombie (killed, waiting for its new parent to reap it) counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    // "pid (comm) state ...": comm may contain spaces, the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const end = stat.lastIndexOf(')')
    return stat.slice(end + 2, end + 3) !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

async function waitForExit(pid: number, timeout: number): Promise<number> {
  const started = performance.now()
  while (isRunning(pid)) {
    if (performance.now() - started > timeout)
      throw new Error(`process ${pid} still runs after ${timeout} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return performance.now() - started
}

async function rpc(rpcUrl: string, method: string, params: unknown[] = []): Promise<string> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await response.json()) as { result: string }).result
}

const chainId = (rpcUrl: string) => rpc(rpcUrl, 'eth_chainId')

describe('spawnAnvil', () => {
  test('keeps past states in memory, writing none to disk', async () => {
    // Without `--max-persisted-states 0`, anvil writes a state file per block here (1190 of 1200)
    // and leaves them behind when killed.
    const cache = mkdtempSync(join(tmpdir(), 'anvil-cache-'))
    try {
      const anvil = await spawnAnvil({
        binary: resolveAnvilBinary(),
        args: ['--cache-path', cache],
      })
      try {
        await rpc(anvil.rpcUrl, 'anvil_mine', ['0x4b0'])
        expect(Number(await rpc(anvil.rpcUrl, 'eth_blockNumber'))).toBe(1200)
      } finally {
        await anvil.stop()
      }
      const files = readdirSync(cache, { recursive: true, withFileTypes: true })
      expect(files.filter((entry) => entry.isFile()).map((entry) => entry.name)).toEqual([])
    } finally {
      rmSync(cache, { recursive: true, force: true })
    }
  })

  test('listens on a loopback port anvil picked, and stop() ends it', async () => {
    const anvil = await spawnAnvil({ binary: resolveAnvilBinary(), args: ['--chain-id', '1234'] })
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`)
    expect(anvil.port).toBeGreaterThan(0)
    expect(await chainId(anvil.rpcUrl)).toBe('0x4d2')
    expect(isRunning(anvil.pid)).toBe(true)
    await anvil.stop()
    expect(isRunning(anvil.pid)).toBe(false)
    await anvil.stop() // idempotent
    await expect(chainId(anvil.rpcUrl)).rejects.toThrow()
  })

  test('rejects with AnvilStartError when the port is taken', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      const error = await spawnAnvil({ binary: resolveAnvilBinary(), port }).catch((e) => e)
      expect(error).toBeInstanceOf(AnvilStartError)
      expect(error.code).toBe('TOLLGATE_DEVNET_ANVIL_START')
      expect(error.message).toMatch(/Address already in use/)
    } finally {
      server.close()
    }
  })

  test('rejects with AnvilStartError when the binary does not exist', async () => {
    const error = await spawnAnvil({ binary: '/nonexistent/anvil' }).catch((e) => e)
    expect(error).toBeInstanceOf(AnvilStartError)
  })

  test.runIf(process.platform !== 'win32')(
    'anvil dies within 2 s when its Node process is SIGKILLed',
    async () => {
      const code = [
        `const { startDevnet } = await import(${JSON.stringify(devnetEntry)})`,
        'const devnet = await startDevnet({ accounts: 1 })',
        'process.stdout.write(JSON.stringify({ pid: devnet.pid, rpcUrl: devnet.rpcUrl }) + "\\n")',
        'setInterval(() => {}, 60_000)',
      ].join('\n')
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', code],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
      )
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = ''
          child.stdout.setEncoding('utf8')
          child.stdout.on('data', (chunk: string) => {
            out += chunk
            if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
          })
          child.once('exit', (code) => reject(new Error(`child exited early (${code})`)))
        })
        const { pid, rpcUrl } = JSON.parse(line) as { pid: number; rpcUrl: string }
        expect(isRunning(pid)).toBe(true)
        expect(await chainId(rpcUrl)).toBe('0x7a69')

        child.kill('SIGKILL')
        const elapsed = await waitForExit(pid, 2_000)
        expect(elapsed).toBeLessThan(2_000)
        await expect(chainId(rpcUrl)).rejects.toThrow()
      } finally {
        child.kill('SIGKILL')
      }
    },
  )
})
