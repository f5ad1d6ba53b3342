import { BaseError } from '@tollgate/core'

/** A store method, as named in {@link RedisStoreError}. */
export type RedisStoreOperation = 'claim' | 'get' | 'set' | 'delete'

/**
 * Why a Redis command gave no usable answer: the client rejected it (`failed`: Redis is down or
 * unreachable, the client is closed, a Redis error), it did not answer within `timeoutMs`
 * (`timeout`), or it answered something the store cannot read (`unexpected-reply`).
 */
export type RedisStoreFailure = 'failed' | 'timeout' | 'unexpected-reply'

/** The type of {@link RedisStoreError}. */
export type RedisStoreErrorType = RedisStoreError & { name: 'RedisStoreError' }

/**
 * The Redis store could not be asked: the paywall cannot know whether a payment is taken or an
 * answer kept, so it must refuse the request (fail closed) rather than serve or charge on a guess.
 * The client's own error, when there is one, is `cause`.
 */
export class RedisStoreError extends BaseError {
  override name = 'RedisStoreError' as const
  /** The store method that failed. */
  readonly operation: RedisStoreOperation
  /** The store's key (without the prefix). Keys name payments, never hold their signatures. */
  readonly key: string
  readonly failure: RedisStoreFailure
  /** The time it was given, in milliseconds, when `failure` is `timeout`. */
  readonly timeoutMs: number | undefined

  constructor({
    operation,
    key,
    failure,
    timeoutMs,
    cause,
  }: {
    operation: RedisStoreOperation
    key: string
    failure: RedisStoreFailure
    timeoutMs?: number | undefined
    cause?: unknown
  }) {
    super(shortMessages[failure](operation, timeoutMs), {
      code: 'TOLLGATE_PAYWALL_REDIS_STORE',
      cause,
      metaMessages: [`Key: ${key}`],
      docsPath: '/providers/shared-state#when-redis-is-down',
    })
    this.operation = operation
    this.key = key
    this.failure = failure
    this.timeoutMs = timeoutMs
  }
}

const verbs: Record<RedisStoreOperation, string> = {
  claim: 'claim',
  get: 'read',
  set: 'write',
  delete: 'delete',
}

const shortMessages: Record<
  RedisStoreFailure,
  (operation: RedisStoreOperation, timeoutMs: number | undefined) => string
> = {
  failed: (operation) => `The Redis store could not ${verbs[operation]} a key: the client failed.`,
  timeout: (operation, timeoutMs) =>
    `The Redis store could not ${verbs[operation]} a key: Redis did not answer within ${timeoutMs} ms.`,
  'unexpected-reply': (operation) =>
    `The Redis store could not ${verbs[operation]} a key: Redis answered something it cannot read.`,
}

/** The type of {@link InvalidRedisStoreTtlError}. */
export type InvalidRedisStoreTtlErrorType = InvalidRedisStoreTtlError & {
  name: 'InvalidRedisStoreTtlError'
}

/** A time to live that Redis cannot keep: not a positive, finite number of milliseconds. */
export class InvalidRedisStoreTtlError extends BaseError {
  override name = 'InvalidRedisStoreTtlError' as const
  readonly ttlMs: number

  constructor({ ttlMs }: { ttlMs: number }) {
    super(`A time to live must be a positive number of milliseconds, not ${ttlMs}.`, {
      code: 'TOLLGATE_PAYWALL_REDIS_STORE_TTL',
    })
    this.ttlMs = ttlMs
  }
}
