import type { PaywallStore } from '../types.js'
import { InvalidRedisStoreTtlError, RedisStoreError, type RedisStoreOperation } from './errors.js'

/**
 * The options of `SET` the store sends, in both spellings node-redis has had: v4 reads `NX` and
 * `PX` and ignores the rest; v5 and v6 read `condition` and `expiration` first (and still accept
 * the deprecated `NX`/`PX`). Sending both keeps a claim atomic on every version: a client that
 * dropped `NX` silently would turn every claim into an overwrite.
 */
export type RedisSetOptions = {
  PX: number
  expiration: { type: 'PX'; value: number }
  /** Only when absent (a claim); a plain `set` replaces. */
  NX?: true
  condition?: 'NX'
}

/**
 * The four commands the store needs, as a node-redis client (v4, v5 or v6, `createClient()`)
 * has them: any client with these methods fits, so the store does not import `redis` itself.
 */
export type RedisStoreClient = {
  get(key: string): Promise<unknown>
  set(key: string, value: string, options: RedisSetOptions): Promise<unknown>
  del(key: string): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** Parameters of {@link createRedisStore}. */
export type CreateRedisStoreParameters = {
  /**
   * A connected node-redis client (`await createClient({ url }).connect()`), with an `error`
   * listener. The store never connects or closes it: it is yours to share and to close.
   */
  client: RedisStoreClient
  /** Put before every key, so several paywalls can share one Redis. @default 'tollgate:paywall:' */
  prefix?: string | undefined
  /**
   * How long one command may take, in milliseconds, before the store gives up on it and rejects
   * with a `RedisStoreError` (a client waiting to reconnect would otherwise hold the request).
   * @default 2_000
   */
  timeoutMs?: number | undefined
}

/** The store's methods all reject with these. */
export type CreateRedisStoreErrorType = RedisStoreError | InvalidRedisStoreTtlError

// Deletes KEYS[1] only while it still holds ARGV[1]: GET and DEL in one atomic step, so a lock
// or claim is released only by its owner, never after it expired and someone else took it.
const compareAndDelete = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`

/**
 * A `PaywallStore` on Redis: several API processes behind one URL, and one API across a restart,
 * share which payments are taken and which answers are kept. A claim is `SET NX PX`, a
 * compare-and-delete is a Lua script; every entry expires by Redis's clock. When Redis cannot
 * answer, every method rejects with a `RedisStoreError` and the paywall refuses the payment.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createRedisStore } from '@tollgate/paywall/redis'
 *
 * const client = await createClient({ url: process.env.REDIS_URL })
 *   .on('error', (error) => console.error('redis', error))
 *   .connect()
 * const store = createRedisStore({ client })
 * ```
 */
export function createRedisStore({
  client,
  prefix = 'tollgate:paywall:',
  timeoutMs = 2_000,
}: CreateRedisStoreParameters): PaywallStore {
  const run = <result>(
    operation: RedisStoreOperation,
    key: string,
    send: (redisKey: string) => Promise<unknown>,
    read: (reply: unknown) => result | typeof unreadable,
  ): Promise<result> =>
    command({ operation, key, timeoutMs }, () => send(prefix + key)).then((reply) => {
      const value = read(reply)
      if (value !== unreadable) return value
      throw new RedisStoreError({ operation, key, failure: 'unexpected-reply' })
    })

  return {
    async claim(key, value, ttlMs) {
      const options = setOptions(ttlMs, { onlyIfAbsent: true })
      return run(
        'claim',
        key,
        (redisKey) => client.set(redisKey, value, options),
        (reply) => (reply === null ? false : readText(reply) === 'OK' ? true : unreadable),
      )
    },
    get: (key) => run('get', key, (redisKey) => client.get(redisKey), readText),
    async set(key, value, ttlMs) {
      const options = setOptions(ttlMs, { onlyIfAbsent: false })
      return run(
        'set',
        key,
        (redisKey) => client.set(redisKey, value, options),
        (reply) => (readText(reply) === 'OK' ? undefined : unreadable),
      )
    },
    delete: (key, expected) =>
      run(
        'delete',
        key,
        (redisKey) =>
          expected === undefined
            ? client.del(redisKey)
            : client.eval(compareAndDelete, { keys: [redisKey], arguments: [expected] }),
        (reply) => {
          const count = readCount(reply)
          return count === unreadable ? unreadable : count > 0
        },
      ),
  }
}

const unreadable = Symbol('unreadable')

/**
 * Sends one command; rejects with a `RedisStoreError` when the client rejects (or throws) or when
 * no answer comes within `timeoutMs`. A command given up on may still run later in Redis; each is
 * safe then: a late claim only keeps a payment refused longer, a late set or delete is one the
 * paywall asked for.
 */
async function command(
  { operation, key, timeoutMs }: { operation: RedisStoreOperation; key: string; timeoutMs: number },
  send: () => Promise<unknown>,
): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const answered = Promise.resolve()
    .then(send)
    .catch((cause: unknown) => {
      throw new RedisStoreError({ operation, key, failure: 'failed', cause })
    })
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisStoreError({ operation, key, failure: 'timeout', timeoutMs })),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([answered, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

/** `SET` options for `ttlMs`, rounded up to the whole milliseconds Redis keeps. */
function setOptions(ttlMs: number, { onlyIfAbsent }: { onlyIfAbsent: boolean }): RedisSetOptions {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new InvalidRedisStoreTtlError({ ttlMs })
  const PX = Math.ceil(ttlMs)
  const options: RedisSetOptions = { PX, expiration: { type: 'PX', value: PX } }
  return onlyIfAbsent ? { ...options, NX: true, condition: 'NX' } : options
}

/** A string reply; a client mapping strings to buffers (`withTypeMapping`) gives bytes. */
function readText(reply: unknown): string | undefined | typeof unreadable {
  if (reply === null || reply === undefined) return undefined
  if (typeof reply === 'string') return reply
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply)
  return unreadable
}

/** An integer reply (a count); a client may map numbers to strings. */
function readCount(reply: unknown): number | typeof unreadable {
  if (typeof reply === 'number' && Number.isInteger(reply)) return reply
  if (typeof reply === 'bigint') return Number(reply)
  if (typeof reply === 'string' && /^\d+$/.test(reply)) return Number(reply)
  return unreadable
}
