import { type StartRedisReturnType, startRedis } from '@tollgate/test'
import { createClient, RESP_TYPES } from 'redis'
import { createClient as createClientV4 } from 'redis-v4'
import { createClient as createClientV5 } from 'redis-v5'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { describeStoreContract } from '../../../test/storeContract.js'
import { createRedisStore, type RedisStoreClient } from './createRedisStore.js'
import { InvalidRedisStoreTtlError, RedisStoreError } from './errors.js'

// One redis-server for the file; every store opened on it gets its own key prefix, so the
// contract's fixed key names never meet. The contract runs on each node-redis major the peer range
// admits: v4 (RESP2, `NX`/`PX` options), v5 (RESP2), v6 (RESP3, `condition`/`expiration`).

const connect = {
  v4: async (url: string) => {
    const client = createClientV4({ url }).on('error', () => {})
    await client.connect()
    return client
  },
  v5: (url: string) =>
    createClientV5({ url })
      .on('error', () => {})
      .connect(),
  v6: (url: string) =>
    createClient({ url })
      .on('error', () => {})
      .connect(),
}
let redis: StartRedisReturnType
const clients: {
  v4?: Awaited<ReturnType<typeof connect.v4>>
  v5?: Awaited<ReturnType<typeof connect.v5>>
  v6?: Awaited<ReturnType<typeof connect.v6>>
} = {}

beforeAll(async () => {
  redis = await startRedis()
  clients.v4 = await connect.v4(redis.url)
  clients.v5 = await connect.v5(redis.url)
  clients.v6 = await connect.v6(redis.url)
})

afterAll(async () => {
  await clients.v4?.disconnect()
  clients.v5?.destroy()
  clients.v6?.destroy()
  await redis?.stop()
})

let stores = 0
/** A fresh prefix per store: stores opened in one file never share keys. */
const nextPrefix = (name: string) => `test:${name}:${++stores}:`

/** Redis's own clock, in milliseconds: the clock its expiries run on. */
async function redisNowMs(client: NonNullable<typeof clients.v6>): Promise<number> {
  const [seconds, micros] = (await client.sendCommand(['TIME'])) as [string, string]
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
}

/** Waits until `ms` milliseconds have passed on Redis's clock (not ours). */
async function elapseOnRedis(ms: number): Promise<void> {
  const client = clients.v6!
  const until = (await redisNowMs(client)) + ms
  while ((await redisNowMs(client)) < until)
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, ms / 10)))
}

for (const version of ['v4', 'v5', 'v6'] as const)
  describeStoreContract(`createRedisStore (node-redis ${version})`, async () => ({
    store: createRedisStore({ client: clients[version]!, prefix: nextPrefix(version) }),
    elapse: elapseOnRedis,
    // Long enough that the contract's "still there" reads never race a loaded machine.
    ttlMs: 100,
  }))

describe('createRedisStore on one Redis', () => {
  test("keys are '<prefix><key>'; two prefixes are two paywalls that never see each other", async () => {
    const client = clients.v6!
    const ours = createRedisStore({ client })
    const a = createRedisStore({ client, prefix: 'tollgate:a:' })
    const b = createRedisStore({ client, prefix: 'tollgate:b:' })
    const key = `auth:eip155:8453|0xasset|0xpayer|0x${stores++}`
    expect(await a.claim(key, 'a', 60_000)).toBe(true)
    expect(await b.claim(key, 'b', 60_000)).toBe(true)
    expect(await ours.claim(key, 'default', 60_000)).toBe(true)
    expect(await client.get(`tollgate:a:${key}`)).toBe('a')
    expect(await client.get(`tollgate:b:${key}`)).toBe('b')
    expect(await client.get(`tollgate:paywall:${key}`)).toBe('default')
    expect(await a.delete(key, 'b')).toBe(false)
    expect(await b.delete(key, 'b')).toBe(true)
    expect(await a.get(key)).toBe('a')
    expect(await b.get(key)).toBeUndefined()
    expect(await ours.delete(key)).toBe(true)
  })

  test('a time to live is kept in whole milliseconds; one Redis cannot keep is refused', async () => {
    const client = clients.v6!
    const prefix = nextPrefix('ttl')
    const store = createRedisStore({ client, prefix })
    await store.set('fraction', 'v', 60_000.2)
    const left = await client.pTTL(`${prefix}fraction`)
    expect(left).toBeGreaterThan(59_000)
    expect(left).toBeLessThanOrEqual(60_001)
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.claim('bad', 'v', ttlMs)).rejects.toBeInstanceOf(InvalidRedisStoreTtlError)
      await expect(store.set('bad', 'v', ttlMs)).rejects.toMatchObject({
        name: 'InvalidRedisStoreTtlError',
        code: 'TOLLGATE_PAYWALL_REDIS_STORE_TTL',
        ttlMs,
      })
    }
    expect(await client.exists(`${prefix}bad`)).toBe(0)
  })

  test('a client that maps replies to buffers and numbers to strings reads the same', async () => {
    const mapped = clients.v6!.withTypeMapping({
      [RESP_TYPES.BLOB_STRING]: Buffer,
      [RESP_TYPES.SIMPLE_STRING]: Buffer,
      [RESP_TYPES.NUMBER]: String,
    })
    const store = createRedisStore({ client: mapped, prefix: nextPrefix('mapped') })
    const value = JSON.stringify({ body: 'é✓'.repeat(100) })
    expect(await store.claim('k', value, 60_000)).toBe(true)
    expect(await store.claim('k', value, 60_000)).toBe(false)
    expect(await store.get('k')).toBe(value)
    expect(await store.delete('k', 'other')).toBe(false)
    expect(await store.delete('k', value)).toBe(true)
  })
})

describe('createRedisStore when Redis goes away', () => {
  test('every method rejects with RedisStoreError; a claim never answers true', async () => {
    const server = await startRedis()
    const errors: unknown[] = []
    const client = await createClient({ url: server.url })
      .on('error', (error) => errors.push(error))
      .connect()
    const quick = await createClient({ url: server.url, disableOfflineQueue: true })
      .on('error', (error) => errors.push(error))
      .connect()
    try {
      const store = createRedisStore({ client, timeoutMs: 300 })
      expect(await store.claim('before', 'v', 60_000)).toBe(true)
      await server.stop()

      // The default client queues commands while it reconnects: the store stops waiting.
      const timedOut = await store.claim('during', 'v', 60_000).catch((error) => error)
      expect(timedOut).toBeInstanceOf(RedisStoreError)
      expect(timedOut).toMatchObject({
        operation: 'claim',
        key: 'during',
        failure: 'timeout',
        timeoutMs: 300,
        code: 'TOLLGATE_PAYWALL_REDIS_STORE',
        shortMessage: 'The Redis store could not claim a key: Redis did not answer within 300 ms.',
      })
      for (const call of [store.get('before'), store.set('k', 'v', 1_000), store.delete('k')])
        await expect(call).rejects.toMatchObject({ name: 'RedisStoreError', failure: 'timeout' })

      // A client without an offline queue refuses at once: the store says so, with its error.
      const started = performance.now()
      const refused = await createRedisStore({ client: quick, timeoutMs: 5_000 })
        .delete('lock', 'owner')
        .catch((error) => error)
      expect(performance.now() - started).toBeLessThan(1_000)
      expect(refused).toMatchObject({
        name: 'RedisStoreError',
        operation: 'delete',
        failure: 'failed',
      })
      expect(refused.cause).toBeInstanceOf(Error)
    } finally {
      client.destroy()
      quick.destroy()
      await server.stop()
    }
  })

  test('a closed client: the store rejects, and never closes or reopens it', async () => {
    const client = await createClient({ url: redis.url })
      .on('error', () => {})
      .connect()
    const store = createRedisStore({ client, prefix: nextPrefix('closed') })
    expect(await store.claim('k', 'v', 60_000)).toBe(true)
    client.destroy()
    await expect(store.get('k')).rejects.toMatchObject({
      name: 'RedisStoreError',
      operation: 'get',
      failure: 'failed',
      shortMessage: 'The Redis store could not read a key: the client failed.',
    })
    expect(client.isOpen).toBe(false)
  })
})

// The structural client type admits every major of node-redis, and nothing without the commands.
test('RedisStoreClient fits node-redis v4, v5 and v6 clients', () => {
  const fits: RedisStoreClient[] = [
    createClientV4(),
    createClientV5(),
    createClient(),
    createClient().withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }),
  ]
  expect(fits).toHaveLength(4)
  // @ts-expect-error a client without `eval` cannot compare-and-delete
  const missing: RedisStoreClient = {
    get: async () => null,
    set: async () => 'OK',
    del: async () => 1,
  }
  expect(missing).toBeDefined()
})
