import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { describe, expect, test } from 'vitest'
import { RedisServerNotFoundError } from './errors.js'
import { startRedis } from './startRedis.js'

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('startRedis', () => {
  test('serves on loopback with nothing persisted; stop() ends it and frees the port', async () => {
    const redis = await startRedis()
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
    const client = await createClient({ url: redis.url }).connect()
    try {
      expect(await client.ping()).toBe('PONG')
      await client.set('k', 'v')
      expect(await client.get('k')).toBe('v')
      expect(await client.configGet('save')).toEqual({ save: '' })
      expect(await client.configGet('appendonly')).toEqual({ appendonly: 'no' })
      expect(await client.configGet('bind')).toEqual({ bind: '127.0.0.1' })
      const { dir } = (await client.configGet('dir')) as { dir: string }
      expect(dir.startsWith(tmpdir())).toBe(true)
      expect(existsSync(dir)).toBe(true)
      await client.close()
      await redis.stop()
      await redis.stop() // idempotent
      expect(() => process.kill(redis.pid, 0)).toThrow()
      expect(await accepts(redis.port)).toBe(false)
      expect(existsSync(dir)).toBe(false)
    } finally {
      client.destroy()
      await redis.stop()
    }
  })

  test('servers run side by side on different ports', async () => {
    const servers = await Promise.all([startRedis(), startRedis()])
    try {
      expect(servers[0].port).not.toBe(servers[1].port)
      const clients = await Promise.all(servers.map((s) => createClient({ url: s.url }).connect()))
      await clients[0]!.set('who', 'first')
      expect(await clients[1]!.get('who')).toBeNull()
      await Promise.all(clients.map((c) => c.close()))
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  })

  test('a missing redis-server fails at once, saying how to install it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-no-redis-'))
    try {
      const started = performance.now()
      const error = await startRedis({ binary: join(dir, 'redis-server') }).catch((e) => e)
      expect(performance.now() - started).toBeLessThan(1_000)
      expect(error).toBeInstanceOf(RedisServerNotFoundError)
      expect(error).toMatchObject({
        code: 'TOLLGATE_TEST_REDIS_NOT_FOUND',
        searched: [join(dir, 'redis-server')],
      })
      expect(error.message).toContain('apt-get install redis-server')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
